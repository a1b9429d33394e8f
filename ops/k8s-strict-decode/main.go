// k8s-strict-decode reads rendered Kubernetes manifests (a multi-document YAML stream on stdin)
// and decodes every document into its Go type from k8s.io/api with apimachinery's strict
// decoder: an unknown field, a duplicate field or a wrongly typed value is an error, as the API
// server's strict field validation (kubectl apply --validate=strict) would report it.
// It prints one JSON line per document and exits 1 when any document fails.
//
// It does not run the API server's semantic validation (required fields, label selectors that
// match, value ranges): those live in k8s.io/kubernetes, which is not a library.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

type result struct {
	Index  int      `json:"index"`
	API    string   `json:"apiVersion"`
	Kind   string   `json:"kind"`
	Name   string   `json:"name"`
	Status string   `json:"status"` // ok, error, skipped
	Errors []string `json:"errors,omitempty"`
}

type skipList []string

func (s *skipList) String() string     { return strings.Join(*s, ",") }
func (s *skipList) Set(v string) error { *s = append(*s, v); return nil }

func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		appsv1.AddToScheme, autoscalingv2.AddToScheme, batchv1.AddToScheme, corev1.AddToScheme,
		networkingv1.AddToScheme, policyv1.AddToScheme, rbacv1.AddToScheme,
	} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}

func main() {
	var skip skipList
	flag.Var(&skip, "skip", "apiVersion/Kind of a custom resource to list as not decoded (repeatable)")
	flag.Parse()

	decoder := serializer.NewCodecFactory(newScheme(), serializer.EnableStrict).UniversalDeserializer()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(os.Stdin))
	out := json.NewEncoder(os.Stdout)
	failed := false
	for index := 0; ; index++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "k8s-strict-decode: reading document %d: %v\n", index, err)
			os.Exit(2)
		}
		if strings.TrimSpace(strings.ReplaceAll(string(doc), "---", "")) == "" {
			index--
			continue
		}
		r := decode(decoder, doc, index, skip)
		if r.Status == "error" {
			failed = true
		}
		_ = out.Encode(r)
	}
	if failed {
		os.Exit(1)
	}
}

func decode(decoder runtime.Decoder, doc []byte, index int, skip skipList) result {
	var meta struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	r := result{Index: index}
	if err := sigsyaml.Unmarshal(doc, &meta); err != nil {
		r.Status, r.Errors = "error", []string{err.Error()}
		return r
	}
	r.API, r.Kind, r.Name = meta.APIVersion, meta.Kind, meta.Metadata.Name
	for _, s := range skip {
		if s == meta.APIVersion+"/"+meta.Kind {
			r.Status = "skipped"
			return r
		}
	}
	if _, _, err := decoder.Decode(doc, nil, nil); err != nil {
		r.Status = "error"
		if strict, ok := runtime.AsStrictDecodingError(err); ok {
			for _, e := range strict.Errors() {
				r.Errors = append(r.Errors, e.Error())
			}
		} else {
			r.Errors = []string{err.Error()}
		}
		return r
	}
	r.Status = "ok"
	return r
}
