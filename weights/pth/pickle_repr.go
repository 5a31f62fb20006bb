package pth

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// maxRepr bounds the length of a pickled value in an error message.
const maxRepr = 120

// repr formats a pickled value for an error message, Python-style and
// short: at most three levels deep and about maxRepr characters. Never
// format a pickled value with %v: a pickle can nest tuples millions deep
// (TUPLE1 is one byte a level), and fmt would recurse through every level
// until the goroutine's stack overflows, which crashes the program.
func repr(v any) string {
	var b strings.Builder
	writeRepr(&b, v, 3)
	if b.Len() > maxRepr {
		return b.String()[:maxRepr] + "..."
	}
	return b.String()
}

func writeRepr(b *strings.Builder, v any, depth int) {
	if b.Len() > maxRepr {
		return
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		b.WriteString(map[bool]string{true: "True", false: "False"}[x])
	case string:
		if len(x) > maxRepr {
			x = x[:maxRepr]
		}
		b.WriteString(strconv.Quote(x))
	case *big.Int:
		if x.BitLen() > 256 { // decimal conversion of a huge LONG is slow
			fmt.Fprintf(b, "<int of %d bits>", x.BitLen())
		} else {
			b.WriteString(x.String())
		}
	case pyTuple:
		writeItems(b, "(", []any(x), ")", depth)
	case *pyList:
		writeItems(b, "[", x.items, "]", depth)
	case *pyDict:
		fmt.Fprintf(b, "<dict of %d items>", len(x.keys))
	case pyGlobal:
		b.WriteString(x.String())
	case *storageView:
		fmt.Fprintf(b, "<storage %s>", x.s.key)
	case *tensorRef:
		fmt.Fprintf(b, "<tensor %v>", x.shape)
	default: // int64, float64
		fmt.Fprint(b, x)
	}
}

func writeItems(b *strings.Builder, open string, items []any, close string, depth int) {
	if depth == 0 {
		b.WriteString(open + "..." + close)
		return
	}
	b.WriteString(open)
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		if b.Len() > maxRepr {
			b.WriteString("...")
			break
		}
		writeRepr(b, it, depth-1)
	}
	b.WriteString(close)
}
