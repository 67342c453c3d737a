package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// fakeRegistry speaks the part of the Confluent REST API that Subject uses. canonical folds a
// schema text into what the registry compares (Apicurio ignores doc-only changes); refuse makes
// a registration answer 409; configNeedsSubject makes PUT /config/{s} answer 404 before v1.
type fakeRegistry struct {
	mu                 sync.Mutex
	nextID             int
	ids                map[string]int // canonical text -> global id
	subjects           map[string][]string
	config             map[string]string
	canonical          func(string) string
	refuse             func(subject, schema string) bool
	configNeedsSubject bool
	calls              []string
}

func newFakeRegistry() *fakeRegistry {
	return &fakeRegistry{nextID: 1, ids: map[string]int{}, subjects: map[string][]string{}, config: map[string]string{},
		canonical: func(s string) string { return s }, refuse: func(string, string) bool { return false }}
}

func (f *fakeRegistry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r.Method+" "+r.URL.EscapedPath())
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	var body struct {
		Schema        string `json:"schema"`
		Compatibility string `json:"compatibility"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case parts[0] == "config" && r.Method == http.MethodPut:
		if f.configNeedsSubject && len(f.subjects[parts[1]]) == 0 {
			reply(404, map[string]any{"error_code": 40401, "message": "Subject not found"})
			return
		}
		f.config[parts[1]] = body.Compatibility
		reply(200, map[string]any{"compatibility": body.Compatibility})
	case parts[0] == "config" && r.Method == http.MethodGet:
		if lvl, ok := f.config[parts[1]]; ok {
			reply(200, map[string]any{"compatibilityLevel": lvl})
			return
		}
		reply(404, map[string]any{"error_code": 40408, "message": "Subject does not have subject-level compatibility configured"})
	case parts[0] == "subjects" && len(parts) == 2 && r.Method == http.MethodPost:
		c := f.canonical(body.Schema)
		for i, s := range f.subjects[parts[1]] {
			if f.canonical(s) == c {
				reply(200, map[string]any{"subject": parts[1], "id": f.ids[c], "version": i + 1, "schema": s})
				return
			}
		}
		reply(404, map[string]any{"error_code": 40403, "message": "Schema not found"})
	case parts[0] == "subjects" && len(parts) == 3 && r.Method == http.MethodPost:
		if f.refuse(parts[1], body.Schema) {
			reply(409, map[string]any{"error_code": 409, "message": "Schema being registered is incompatible with an earlier schema"})
			return
		}
		c := f.canonical(body.Schema)
		for _, s := range f.subjects[parts[1]] {
			if f.canonical(s) == c {
				reply(200, map[string]any{"id": f.ids[c]})
				return
			}
		}
		if _, ok := f.ids[c]; !ok {
			f.ids[c] = f.nextID
			f.nextID++
		}
		f.subjects[parts[1]] = append(f.subjects[parts[1]], body.Schema)
		reply(200, map[string]any{"id": f.ids[c]})
	default:
		reply(404, map[string]any{"error_code": 404, "message": "no route"})
	}
}

func registryServer(t *testing.T, f *fakeRegistry) *server {
	t.Helper()
	ts := httptest.NewServer(f)
	t.Cleanup(ts.Close)
	cl, err := newRegistryClient(config{RegistryURL: ts.URL, TimeoutSeconds: 5})
	if err != nil {
		t.Fatal(err)
	}
	return testServer(nil, cl)
}

func subjectInputs(t *testing.T, level string, schemas ...string) map[string]any {
	t.Helper()
	var vs []any
	for i, s := range schemas {
		vs = append(vs, map[string]any{"version": i + 1, "schema": s})
	}
	in, fails := subjectKind{}.check(map[string]any{"subject": "orders-value", "compatibility": level, "versions": vs})
	if len(fails) > 0 {
		t.Fatalf("check: %v", fails)
	}
	return in
}

func TestSubjectRegistersEveryVersionInOrderOnce(t *testing.T) {
	f := newFakeRegistry()
	s := registryServer(t, f)
	in := subjectInputs(t, "BACKWARD", `"a"`, `"b"`, `"c"`)
	id, outs, err := subjectKind{}.create(context.Background(), s, "", in)
	if err != nil || id != "orders-value" {
		t.Fatalf("create: %v %v", id, err)
	}
	if got := strings.Join(f.subjects["orders-value"], ","); got != `"a","b","c"` || f.config["orders-value"] != "BACKWARD" {
		t.Fatalf("registry holds %s with level %q", got, f.config["orders-value"])
	}
	reg := outs["registered"].([]any)
	if len(reg) != 3 || reg[2].(map[string]any)["id"] != 3 {
		t.Fatalf("registered: %v", reg)
	}
	// a second sync registers nothing
	before := len(f.subjects["orders-value"])
	if _, err := (subjectKind{}).update(context.Background(), s, "", id, outs, in); err != nil {
		t.Fatal(err)
	}
	if len(f.subjects["orders-value"]) != before {
		t.Fatalf("update re-registered versions: %v", f.subjects["orders-value"])
	}
}

func TestSubjectRefusalNamesSubjectVersionAndReason(t *testing.T) {
	f := newFakeRegistry()
	f.refuse = func(_, schema string) bool { return schema == `"bad"` }
	s := registryServer(t, f)
	_, _, err := subjectKind{}.create(context.Background(), s, "", subjectInputs(t, "FULL", `"a"`, `"bad"`))
	if err == nil {
		t.Fatal("an incompatible registration must fail the deploy")
	}
	for _, want := range []string{"version 2", "orders-value", "FULL", "incompatible with an earlier schema"} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("message %q lacks %q", err, want)
		}
	}
}

func TestSubjectLevelAfterV1WhenTheRegistryNeedsTheSubject(t *testing.T) {
	f := newFakeRegistry()
	f.configNeedsSubject = true
	s := registryServer(t, f)
	if _, _, err := (subjectKind{}).create(context.Background(), s, "", subjectInputs(t, "FORWARD", `"a"`, `"b"`)); err != nil {
		t.Fatal(err)
	}
	if f.config["orders-value"] != "FORWARD" {
		t.Fatalf("level %q", f.config["orders-value"])
	}
	// the level was set between v1 and v2, so v2 was checked under it
	var order []string
	for _, c := range f.calls {
		if strings.HasPrefix(c, "PUT") || strings.HasSuffix(c, "/versions") {
			order = append(order, c)
		}
	}
	want := "PUT /config/orders-value,POST /subjects/orders-value/versions,PUT /config/orders-value,POST /subjects/orders-value/versions"
	if strings.Join(order, ",") != want {
		t.Fatalf("calls %v", order)
	}
}

func TestDocOnlyVersionGivesNoPermanentDiff(t *testing.T) {
	f := newFakeRegistry()
	f.canonical = func(s string) string { return strings.ReplaceAll(s, `,"doc":"x"`, "") }
	s := registryServer(t, f)
	v1 := `{"type":"record","name":"R","fields":[]}`
	v2 := `{"type":"record","name":"R","fields":[],"doc":"x"}`
	in := subjectInputs(t, "BACKWARD", v1, v2)
	_, outs, err := subjectKind{}.create(context.Background(), s, "", in)
	if err != nil {
		t.Fatal(err)
	}
	reg := outs["registered"].([]any)
	if reg[0].(map[string]any)["id"] != reg[1].(map[string]any)["id"] {
		t.Fatalf("doc-only change: the registry gives the same id, got %v", reg)
	}
	id, refreshed, inputs, err := subjectKind{}.read(context.Background(), s, "orders-value", outs, in)
	if err != nil || id == "" {
		t.Fatalf("read: %q %v", id, err)
	}
	if d := (subjectKind{}).diff(refreshed, in); d.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Fatalf("diff after refresh: %v (inputs %v)", d.Diffs, inputs)
	}
}

func TestChangedVersionIsRefusedAndRemovedVersionStays(t *testing.T) {
	f := newFakeRegistry()
	s := registryServer(t, f)
	in := subjectInputs(t, "NONE", `"a"`, `"b"`)
	_, outs, err := subjectKind{}.create(context.Background(), s, "", in)
	if err != nil {
		t.Fatal(err)
	}
	_, err = subjectKind{}.update(context.Background(), s, "", "orders-value", outs, subjectInputs(t, "NONE", `"a"`, `"B"`))
	if err == nil || !strings.Contains(err.Error(), "version 2 differs") {
		t.Fatalf("a changed version must be refused, got %v", err)
	}
	if _, err := (subjectKind{}).update(context.Background(), s, "", "orders-value", outs, subjectInputs(t, "NONE", `"a"`)); err != nil {
		t.Fatal(err)
	}
	if err := (subjectKind{}).delete(context.Background(), s, "", "orders-value", outs); err != nil {
		t.Fatal(err)
	}
	if len(f.subjects["orders-value"]) != 2 {
		t.Fatalf("versions must never be deleted: %v", f.subjects)
	}
	for _, c := range f.calls {
		if strings.HasPrefix(c, "DELETE") {
			t.Fatalf("the provider sent %s", c)
		}
	}
}

func TestRefreshNoticesALostVersionAndGoneSubject(t *testing.T) {
	f := newFakeRegistry()
	s := registryServer(t, f)
	in := subjectInputs(t, "BACKWARD", `"a"`, `"b"`)
	_, outs, err := subjectKind{}.create(context.Background(), s, "", in)
	if err != nil {
		t.Fatal(err)
	}
	f.subjects["orders-value"] = f.subjects["orders-value"][:1]
	_, refreshed, _, err := subjectKind{}.read(context.Background(), s, "orders-value", outs, in)
	if err != nil {
		t.Fatal(err)
	}
	if d := (subjectKind{}).diff(refreshed, in); d.Changes != pulumirpc.DiffResponse_DIFF_SOME {
		t.Fatal("a version missing from the registry must show as a diff")
	}
	delete(f.subjects, "orders-value")
	if id, _, _, _ := (subjectKind{}).read(context.Background(), s, "orders-value", outs, in); id != "" {
		t.Fatal("a subject with none of its versions must read as gone")
	}
}
