package weights

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

var weirdStrings = []string{"", "plain", `quote " backslash \ slash /`, "tab\tnewline\nreturn\r", "\x00\x01\x1f control",
	"ünïcødé ☀→🌅", "line sep \u2028 para sep \u2029", "invalid \xff\xfe utf-8", "<html>&amp;"}

func metaWith(s string) Meta {
	return Meta{
		Name: s, Storage: "int8",
		Generators: []GeneratorMeta{
			{Key: "G_A", From: s, To: "b", Arch: NewArch(3, 3, 64, 9, false)},
			{Key: "G_B" + s, Arch: NewArch(1, 3, 4, 0, true)},
		},
		Provenance: Provenance{Source: "imported", Imported: []string{s, "x.pth"}, Trainer: s, Iterations: 1 << 40,
			Epochs: 200, Date: "2026-11-25T18:49:45Z", License: s, Notes: s},
		TrainingScale: &TrainingScale{Preprocess: s, LoadSize: 256, CropSize: 128},
	}
}

// TestMetaJSONMatchesEncodingJSON: the hand-written codec and encoding/json
// agree in both directions.
func TestMetaJSONMatchesEncodingJSON(t *testing.T) {
	for _, s := range weirdStrings {
		m := metaWith(s)
		ours := encodeMeta(&m)
		if !json.Valid(ours) {
			t.Fatalf("%q: invalid JSON %s", s, ours)
		}
		var viaStd Meta
		if err := json.Unmarshal(ours, &viaStd); err != nil {
			t.Fatal(err)
		}
		std, _ := json.Marshal(m)
		var want Meta // encoding/json's own round trip (it also writes invalid UTF-8 as U+FFFD)
		json.Unmarshal(std, &want)
		if !reflect.DeepEqual(viaStd, want) {
			t.Errorf("%q: encodeMeta decodes (encoding/json) to\n%+v\nwant\n%+v", s, viaStd, want)
		}
		got, err := decodeMeta(std)
		if err != nil {
			t.Fatalf("%q: decodeMeta(%s): %v", s, std, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: decodeMeta gives\n%+v\nwant\n%+v", s, got, want)
		}
	}
	// With nothing optional set, both leave the same fields out.
	m := Meta{Storage: "f32", Generators: []GeneratorMeta{{Key: "G", Arch: NewArch(3, 3, 1, 1, false)}}, Provenance: Provenance{Source: "trained"}}
	std, _ := json.Marshal(m)
	if ours := encodeMeta(&m); string(ours) != string(std) {
		t.Errorf("encodeMeta\n%s\nencoding/json\n%s", ours, std)
	}
}

func TestMetaJSONAccepts(t *testing.T) {
	m, err := decodeMeta([]byte(` { "future": {"a": [1, -2.5e+3, true, false, null, "x\u00e9\ud83c\udf05"]},
		"name" : null, "storage": "f16", "generators": [{"key": "G_A", "architecture": {"kind": "resnet_generator",
		"ngf": 8, "input_nc": 3, "output_nc": 3, "n_blocks": 2, "dropout": null, "extra": {}}}],
		"provenance": {"source": "trained", "imported": null, "iterations": 0}, "z": [] } `))
	if err != nil {
		t.Fatal(err)
	}
	if m.Storage != "f16" || len(m.Generators) != 1 || m.Generators[0].Arch.NGF != 8 || m.Provenance.Source != "trained" {
		t.Fatalf("%+v", m)
	}
	if m, err := decodeMeta([]byte(`{"training_scale": null}`)); err != nil || m.TrainingScale != nil {
		t.Errorf("a null training_scale: %+v, %v; want none recorded", m.TrainingScale, err)
	}
	if m, err := decodeMeta([]byte(`{"name":"\ud800x \udc00"}`)); err != nil || m.Name != "\ufffdx \ufffd" {
		t.Errorf("lone surrogates: %q, %v", m.Name, err)
	}
}

func TestMetaJSONRefuses(t *testing.T) {
	for _, bad := range []string{``, `[]`, `{`, `{"name":"a",}`, `{"name":'a'}`, `{"name":"a"} x`, `{"name":"a"}{}`,
		`{"storage":1}`, `{"generators":[{"architecture":{"ngf":1.0}}]}`, `{"generators":[{"architecture":{"ngf":01}}]}`,
		`{"generators":[{"architecture":{"ngf":99999999999}}]}`, `{"x":NaN}`, `{"x":-}`, `{"x":1.}`, `{"x":1e}`, `{"name":"a\qb"}`,
		`{"name":"\u12"}`, "{\"name\":\"a\nb\"}", "{\"name\":\"\xff\"}", `{"name":"abc`, `{"x":tru}`, `{"x":nul}`,
		`{"generators":[{},{},{}]}`, `{"training_scale":{"load_size":"256"}}`, `{"training_scale":[]}`, `{"x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`} {
		if _, err := decodeMeta([]byte(bad)); !errors.Is(err, ErrMetadata) {
			t.Errorf("%q: got %v, want ErrMetadata", bad, err)
		}
	}
}

// FuzzDecodeMeta: the codec never panics, accepts only valid JSON, and
// what it accepts survives a round trip.
func FuzzDecodeMeta(f *testing.F) {
	for _, s := range weirdStrings[:6] {
		m := metaWith(s)
		f.Add(encodeMeta(&m))
	}
	f.Add([]byte(`{"future":{"a":[1,-2.5e+3,true,false,null,"\ud83c\udf05"]},"name":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeMeta(data)
		if err != nil {
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		again, err := decodeMeta(encodeMeta(&m))
		if err != nil || !reflect.DeepEqual(normalize(again), normalize(m)) {
			t.Fatalf("round trip: %v\n%+v\n%+v", err, again, m)
		}
	})
}

// normalize maps empty slices to nil (JSON does not tell them apart).
func normalize(m Meta) Meta {
	if len(m.Generators) == 0 {
		m.Generators = nil
	}
	if len(m.Provenance.Imported) == 0 {
		m.Provenance.Imported = nil
	}
	return m
}
