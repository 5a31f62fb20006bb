package nn

import "testing"

// TestTranspose8 checks the vector transpose against its definition, with
// vecSIMD on and off.
func TestTranspose8(t *testing.T) {
	src := make([]float32, 200)
	for i := range src {
		src[i] = float32(i) + 0.5
	}
	offs := [8]int{0, 9, 30, 31, 50, 77, 100, 150}
	for _, simd := range []bool{true, false} {
		old := vecSIMD
		vecSIMD = simd && old
		const ds = 11
		dst := make([]float32, 7*ds+8)
		transpose8(dst, ds, src, 3, &offs)
		vecSIMD = old
		for i := 0; i < 8; i++ {
			for r := 0; r < 8; r++ {
				if got, want := dst[r*ds+i], src[3+offs[i]+r]; got != want {
					t.Fatalf("simd %v: dst[%d][%d] = %v, want %v", simd, r, i, got, want)
				}
			}
		}
	}
}

// TestTranspose8Stride2 checks transpose8Stride2 likewise.
func TestTranspose8Stride2(t *testing.T) {
	src := make([]float32, 200)
	for i := range src {
		src[i] = float32(i) + 0.5
	}
	offs := [8]int{0, 9, 30, 31, 50, 77, 100, 150}
	for _, simd := range []bool{true, false} {
		old := vecSIMD
		vecSIMD = simd && old
		const ds = 11
		dst := make([]float32, 7*ds+8)
		transpose8Stride2(dst, ds, src, 3, &offs)
		vecSIMD = old
		for i := 0; i < 8; i++ {
			for r := 0; r < 8; r++ {
				if got, want := dst[r*ds+i], src[3+offs[i]+2*r]; got != want {
					t.Fatalf("simd %v: dst[%d][%d] = %v, want %v", simd, r, i, got, want)
				}
			}
		}
	}
}
