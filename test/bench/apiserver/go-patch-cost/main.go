// Command go-patch-cost times, step by step and without network or scheduling noise, what kube-apiserver
// v1.33 does with a mutating webhook's JSON patch (k8s.io/apiserver/pkg/admission/plugin/webhook/mutating/
// dispatcher.go, callAttrMutatingHook, and the reinvocation round that follows a change), using the same
// libraries and scheme, on the real AdmissionReview and the patch variants written by ../patch-cost.ts.
//
// Build and run (offline, from the module cache that test/e2e/toolchain/build.sh filled):
//
//	cd test/bench/apiserver/go-patch-cost && GOPROXY=off GOFLAGS=-mod=mod go run . \
//	  --review ../../results/patch-cost-<time>-review.json --variants ../../results/patch-cost-<time>.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	jsonserializer "k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	core "k8s.io/kubernetes/pkg/apis/core"
	_ "k8s.io/kubernetes/pkg/apis/core/install"
)

type variant struct {
	ID          string            `json:"id"`
	Letter      string            `json:"letter"`
	Patch       []json.RawMessage `json:"patch"`
	Description string            `json:"description"`
}

func main() {
	reviewFile := flag.String("review", "", "captured AdmissionReview JSON")
	variantsFile := flag.String("variants", "", "patch-cost results JSON (its variants)")
	fmTime := flag.Bool("fieldmanager-time", true, "give managedFields the nanosecond timestamp the field manager sets before admission (managedfieldsupdater.go:63); JSON keeps seconds only")
	testing.Init()
	flag.Parse()
	must(flag.Set("test.benchtime", "500ms"))
	if *reviewFile == "" || *variantsFile == "" {
		fmt.Fprintln(os.Stderr, "usage: go-patch-cost --review FILE --variants FILE")
		os.Exit(2)
	}
	var review struct {
		Request struct {
			Object json.RawMessage `json:"object"`
		} `json:"request"`
	}
	must(json.Unmarshal(readFile(*reviewFile), &review))
	var results struct {
		Variants []variant `json:"variants"`
	}
	must(json.Unmarshal(readFile(*variantsFile), &results))

	scheme := legacyscheme.Scheme
	ser := jsonserializer.NewSerializerWithOptions(jsonserializer.DefaultMetaFactory, scheme, scheme, jsonserializer.SerializerOptions{})
	gvk := corev1.SchemeGroupVersion.WithKind("Pod")

	// The object as the dispatcher holds it: internal Pod (attr.GetObject()) and its v1 conversion (VersionedObject).
	wire := &corev1.Pod{}
	_, _, err := ser.Decode(review.Request.Object, nil, wire)
	must(err)
	internal := &core.Pod{}
	must(scheme.Convert(wire, internal, nil))
	if *fmTime {
		for i := range internal.ManagedFields {
			internal.ManagedFields[i].Time = &metav1.Time{Time: time.Now().UTC()}
		}
	}
	versioned := &corev1.Pod{}
	must(scheme.Convert(internal, versioned, nil))
	versioned.GetObjectKind().SetGroupVersionKind(gvk)
	mfBytes := 0
	for _, e := range versioned.ManagedFields {
		if e.FieldsV1 != nil {
			mfBytes += len(e.FieldsV1.Raw)
		}
	}
	objJS, err := runtime.Encode(ser, versioned)
	must(err)
	fmt.Printf("pod: %d bytes of JSON, of which managedFields FieldsV1 %d bytes; %d containers\n\n", len(objJS), mfBytes, len(versioned.Spec.Containers)+len(versioned.Spec.InitContainers))

	// Steps that do not depend on the patch.
	fmt.Println("fixed steps (once per patched create), µs/op (fastest of 3), allocated KiB/op:")
	row := func(name string, r testing.BenchmarkResult) {
		fmt.Printf("  %-64s %8.0f µs %8.0f KiB\n", name, float64(r.NsPerOp())/1e3, float64(r.AllocedBytesPerOp())/1024)
	}
	row("runtime.Encode(versioned object) [dispatcher.go:355]", bench(func() { _, _ = runtime.Encode(ser, versioned) }))
	copyInternal := internal.DeepCopy()
	row("reinvocation round: Semantic.DeepEqual(internal, copy) [reinvocationcontext.go:40]", bench(func() { apiequality.Semantic.DeepEqual(copyInternal, internal) }))
	noMF, noMFCopy := internal.DeepCopy(), internal.DeepCopy()
	noMF.ManagedFields, noMFCopy.ManagedFields = nil, nil
	row("  same, managedFields removed from both", bench(func() { apiequality.Semantic.DeepEqual(noMFCopy, noMF) }))
	row("reinvocation bookkeeping: internal DeepCopyObject [reinvocationcontext.go:48]", bench(func() { _ = internal.DeepCopyObject() }))
	fmt.Println()

	fmt.Println("per variant, µs/op (fastest of 3): DecodePatch, Apply [dispatcher.go:336,359], Decode patched JSON → v1.Pod [381], Semantic.DeepEqual [385], Default [390], Convert → internal [236]:")
	fmt.Printf("  %-4s %-14s %5s %7s %8s %8s %8s %9s %8s %8s %8s  %s\n", "", "variant", "ops", "patch B", "decodeP", "apply", "decode", "deepEq", "default", "convert", "total", "changed (first differing field)")
	for _, v := range results.Variants {
		if len(v.Patch) == 0 {
			continue
		}
		patchJS, err := json.Marshal(v.Patch)
		must(err)
		patch, err := jsonpatch.DecodePatch(patchJS)
		must(err)
		patchedJS, err := patch.Apply(objJS)
		must(err)
		decode := func() *corev1.Pod {
			p := &corev1.Pod{}
			_, _, err := ser.Decode(patchedJS, nil, p)
			must(err)
			return p
		}
		newVersioned := decode()
		changed := !apiequality.Semantic.DeepEqual(versioned, newVersioned)
		defaulted := newVersioned.DeepCopy()
		scheme.Default(defaulted)
		rDecodePatch := bench(func() { _, _ = jsonpatch.DecodePatch(patchJS) })
		rApply := bench(func() { _, _ = patch.Apply(objJS) })
		rDecode := bench(func() { decode() })
		rEqual := bench(func() { apiequality.Semantic.DeepEqual(versioned, newVersioned) })
		rDefault := bench(func() { scheme.Default(defaulted) })
		out := &core.Pod{}
		rConvert := bench(func() { _ = scheme.Convert(defaulted, out, nil) })
		us := func(r testing.BenchmarkResult) float64 { return float64(r.NsPerOp()) / 1e3 }
		total := us(rDecodePatch) + us(rApply) + us(rDecode) + us(rEqual) + us(rDefault) + us(rConvert)
		fmt.Printf("  %-4s %-14s %5d %7d %8.0f %8.0f %8.0f %9.0f %8.0f %8.0f %8.0f  %v (%s)\n", v.Letter, v.ID, len(v.Patch), len(patchJS),
			us(rDecodePatch), us(rApply), us(rDecode), us(rEqual), us(rDefault), us(rConvert), total, changed, firstDifference(versioned, newVersioned))
	}
}

// firstDifference names the top-level and metadata fields of two pods that Semantic.DeepEqual finds different, in field order.
func firstDifference(a, b *corev1.Pod) string {
	var diffs []string
	if !apiequality.Semantic.DeepEqual(a.TypeMeta, b.TypeMeta) {
		diffs = append(diffs, "TypeMeta")
	}
	am, bm := reflect.ValueOf(a.ObjectMeta), reflect.ValueOf(b.ObjectMeta)
	for i := 0; i < am.NumField(); i++ {
		if !apiequality.Semantic.DeepEqual(am.Field(i).Interface(), bm.Field(i).Interface()) {
			diffs = append(diffs, "metadata."+am.Type().Field(i).Name)
		}
	}
	as, bs := reflect.ValueOf(a.Spec), reflect.ValueOf(b.Spec)
	for i := 0; i < as.NumField(); i++ {
		if !apiequality.Semantic.DeepEqual(as.Field(i).Interface(), bs.Field(i).Interface()) {
			diffs = append(diffs, "spec."+as.Type().Field(i).Name)
		}
	}
	if !apiequality.Semantic.DeepEqual(a.Status, b.Status) {
		diffs = append(diffs, "Status")
	}
	if len(diffs) == 0 {
		return "none"
	}
	return strings.Join(diffs, ", ")
}

// bench runs f as a benchmark three times (0.5 s each) and keeps the fastest: the machine is shared, and
// interference only ever adds time.
func bench(f func()) testing.BenchmarkResult {
	var best testing.BenchmarkResult
	for i := 0; i < 3; i++ {
		r := testing.Benchmark(func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				f()
			}
		})
		if i == 0 || r.NsPerOp() < best.NsPerOp() {
			best = r
		}
	}
	return best
}

func readFile(path string) []byte {
	data, err := os.ReadFile(path)
	must(err)
	return data
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
