package main

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// fakeKafka keeps ACL bindings and SCRAM credentials in memory and counts requests.
type fakeKafka struct {
	mu       sync.Mutex
	acls     map[string]map[binding]bool
	scram    map[string]map[string]int
	requests map[string]int
	lag      int // describes that still miss the last creation (brokers applying metadata late)
}

func newFakeKafka() *fakeKafka {
	return &fakeKafka{acls: map[string]map[binding]bool{}, scram: map[string]map[string]int{}, requests: map[string]int{}}
}

func (f *fakeKafka) createACLs(_ context.Context, p string, bs []binding) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests["CreateAcls"]++
	if f.acls[p] == nil {
		f.acls[p] = map[binding]bool{}
	}
	for _, b := range bs {
		f.acls[p][b] = true
	}
	return nil
}

func (f *fakeKafka) describeACLs(_ context.Context, p string) ([]binding, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests["DescribeAcls"]++
	if f.lag > 0 {
		f.lag--
		return nil, nil
	}
	var out []binding
	for b := range f.acls[p] {
		out = append(out, b)
	}
	sortBindings(out)
	return out, nil
}

func (f *fakeKafka) deleteACLs(_ context.Context, p string, bs []binding) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests["DeleteAcls"]++
	for _, b := range bs {
		delete(f.acls[p], b)
	}
	return nil
}

func (f *fakeKafka) upsertSCRAM(_ context.Context, u, m string, it int, _ string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests["AlterUserScramCredentials"]++
	if f.scram[u] == nil {
		f.scram[u] = map[string]int{}
	}
	f.scram[u][m] = it
	return nil
}

func (f *fakeKafka) describeSCRAM(_ context.Context, u string) (map[string]int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for m, it := range f.scram[u] {
		out[m] = it
	}
	return out, nil
}

func (f *fakeKafka) deleteSCRAM(_ context.Context, u, m string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests["AlterUserScramCredentials"]++
	delete(f.scram[u], m)
	return nil
}

func testServer(k *fakeKafka, r registryAPI) *server {
	s := newServer(nil)
	s.cfg = config{ConfirmSeconds: 5, TimeoutSeconds: 5}
	s.newKafka = func(config) (kafkaAdmin, error) { return k, nil }
	s.newRegistry = func(config) (registryAPI, error) { return r, nil }
	return s
}

func acl(rt, name, op string) map[string]any {
	return map[string]any{"resourceType": rt, "resourceName": name, "operation": op}
}

func principalInputs(t *testing.T, acls ...map[string]any) map[string]any {
	t.Helper()
	list := make([]any, len(acls))
	for i, a := range acls {
		list[i] = a
	}
	in, fails := principalKind{}.check(map[string]any{"principal": "User:team.app", "acls": list})
	if len(fails) > 0 {
		t.Fatalf("check failed: %v", fails)
	}
	return in
}

func TestCheckNormalisesAndRefusesBadBindings(t *testing.T) {
	in := principalInputs(t, acl("topic", "orders", "WRITE"), acl("Topic", "orders", "Write"), acl("group", "g", "read"))
	got := in["acls"].([]any)
	if len(got) != 2 {
		t.Fatalf("duplicates not merged: %v", got)
	}
	first := got[1].(map[string]any) // sorted: "Allow Read ..." before "Allow Write ..."
	want := map[string]any{"resourceType": "Topic", "resourceName": "orders", "patternType": "Literal", "operation": "Write", "host": "*", "permission": "Allow"}
	if !reflect.DeepEqual(first, want) {
		t.Fatalf("got %v, want %v", first, want)
	}
	_, fails := principalKind{}.check(map[string]any{"principal": "team.app", "acls": []any{acl("Table", "x", "Read"), acl("Cluster", "c", "Fly")}})
	var props []string
	for _, f := range fails {
		props = append(props, f.Property)
	}
	sort.Strings(props)
	wantProps := []string{"acls[0].resourceType", "acls[1].operation", "acls[1].resourceName", "principal"}
	if !reflect.DeepEqual(props, wantProps) {
		t.Fatalf("failures on %v, want %v (%v)", props, wantProps, fails)
	}
}

func TestCreateIsOneBatchAndConfirmsDespiteLag(t *testing.T) {
	k := newFakeKafka()
	k.lag = 2
	s := testServer(k, nil)
	in := principalInputs(t, acl("Topic", "a", "Read"), acl("Topic", "a", "Describe"), acl("Group", "g", "Read"))
	id, _, err := principalKind{}.create(context.Background(), s, "", in)
	if err != nil || id != "User:team.app" {
		t.Fatalf("create: %v %v", id, err)
	}
	if k.requests["CreateAcls"] != 1 || k.requests["DeleteAcls"] != 0 {
		t.Fatalf("requests %v: want one CreateAcls batch and no DeleteAcls", k.requests)
	}
	if len(k.acls["User:team.app"]) != 3 {
		t.Fatalf("live bindings %v", k.acls)
	}
}

func TestUpdateAddsAndRemovesTheSetDifferenceOnly(t *testing.T) {
	k := newFakeKafka()
	s := testServer(k, nil)
	old := principalInputs(t, acl("Topic", "a", "Read"), acl("Topic", "a", "Describe"))
	if _, _, err := (principalKind{}).create(context.Background(), s, "", old); err != nil {
		t.Fatal(err)
	}
	// drift behind the program's back: an undeclared grant
	_ = k.createACLs(context.Background(), "User:team.app", []binding{{"Topic", "secret", "Literal", "Read", "*", "Allow"}})
	k.requests = map[string]int{}
	news := principalInputs(t, acl("Topic", "a", "Read"), acl("Topic", "b", "Read"))
	if _, err := (principalKind{}).update(context.Background(), s, "", "User:team.app", old, news); err != nil {
		t.Fatal(err)
	}
	var live []string
	for b := range k.acls["User:team.app"] {
		live = append(live, b.ResourceName+"/"+b.Operation)
	}
	sort.Strings(live)
	if strings.Join(live, ",") != "a/Read,b/Read" {
		t.Fatalf("live after update: %v", live)
	}
	if k.requests["CreateAcls"] != 1 || k.requests["DeleteAcls"] != 1 {
		t.Fatalf("requests %v: want one batch each way", k.requests)
	}
}

func TestReadReportsLiveBindingsAndGoneWhenEmpty(t *testing.T) {
	k := newFakeKafka()
	s := testServer(k, nil)
	id, _, _, err := principalKind{}.read(context.Background(), s, "User:team.app", map[string]any{}, nil)
	if err != nil || id != "" {
		t.Fatalf("a principal with nothing live must read as gone, got %q %v", id, err)
	}
	in := principalInputs(t, acl("Topic", "a", "Read"))
	in["scram"] = map[string]any{"mechanism": "SCRAM-SHA-512", "iterations": 4096, "password": "pw"}
	if _, _, err := (principalKind{}).create(context.Background(), s, "", in); err != nil {
		t.Fatal(err)
	}
	id, outs, ins, err := principalKind{}.read(context.Background(), s, "User:team.app", in, nil)
	if err != nil || id != "User:team.app" {
		t.Fatalf("read: %q %v", id, err)
	}
	if !reflect.DeepEqual(outs, in) || !reflect.DeepEqual(ins, in) {
		t.Fatalf("read after create differs:\n got %v\nwant %v", outs, in)
	}
	if d := (principalKind{}).diff(outs, in); d.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Fatalf("refresh then diff must show no change, got %v", d.Diffs)
	}
}

func TestDeleteRemovesExactlyTheStateBindingsAndTheCredential(t *testing.T) {
	k := newFakeKafka()
	s := testServer(k, nil)
	in := principalInputs(t, acl("Topic", "a", "Read"))
	in["scram"] = map[string]any{"mechanism": "SCRAM-SHA-512", "iterations": 4096, "password": "pw"}
	if _, _, err := (principalKind{}).create(context.Background(), s, "", in); err != nil {
		t.Fatal(err)
	}
	other := binding{"Topic", "b", "Literal", "Read", "*", "Allow"}
	_ = k.createACLs(context.Background(), "User:other.app", []binding{other})
	if err := (principalKind{}).delete(context.Background(), s, "", "User:team.app", in); err != nil {
		t.Fatal(err)
	}
	if len(k.acls["User:team.app"]) != 0 || len(k.scram["team.app"]) != 0 || !k.acls["User:other.app"][other] {
		t.Fatalf("after delete: acls %v scram %v", k.acls, k.scram)
	}
}

func TestDiffReplacesOnlyOnANewPrincipal(t *testing.T) {
	a := principalInputs(t, acl("Topic", "a", "Read"))
	b := principalInputs(t, acl("Topic", "b", "Read"))
	d := principalKind{}.diff(a, b)
	if d.Changes != pulumirpc.DiffResponse_DIFF_SOME || len(d.Replaces) != 0 {
		t.Fatalf("binding change: %v", d)
	}
	c := principalInputs(t, acl("Topic", "a", "Read"))
	c["principal"] = "User:other.app"
	if d := (principalKind{}).diff(a, c); len(d.Replaces) != 1 || d.DetailedDiff["principal"].Kind != pulumirpc.PropertyDiff_UPDATE_REPLACE {
		t.Fatalf("principal change must replace: %v", d)
	}
}

func TestImportAdoptsTheBindingsButNotTheCredential(t *testing.T) {
	k := newFakeKafka()
	s := testServer(k, nil)
	// a principal set up by hand: its bindings and a credential whose password only the application knows
	_ = k.createACLs(context.Background(), "User:legacy", []binding{{"Topic", "orders", "Literal", "Read", "*", "Allow"}})
	_ = k.upsertSCRAM(context.Background(), "legacy", "SCRAM-SHA-512", 8192, "the-apps-own")
	id, outs, ins, err := principalKind{}.read(context.Background(), s, "User:legacy", map[string]any{}, nil)
	if err != nil || id != "User:legacy" {
		t.Fatalf("import read: %q %v", id, err)
	}
	if _, has := outs["scram"]; has {
		t.Fatalf("an unmanaged credential must not be reported (the next update would change or delete it): %v", outs)
	}
	if len(ins["acls"].([]any)) != 1 {
		t.Fatalf("imported bindings %v", ins["acls"])
	}
	// the program declares the same bindings and no credential: nothing to do, the credential stays
	news := principalInputs(t, acl("Topic", "orders", "Read"))
	news["principal"] = "User:legacy"
	if d := (principalKind{}).diff(ins, news); d.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Fatalf("import then diff must show no change, got %v", d.Diffs)
	}
	if err := (principalKind{}).delete(context.Background(), s, "", "User:legacy", ins); err != nil {
		t.Fatal(err)
	}
	if k.scram["legacy"]["SCRAM-SHA-512"] != 8192 {
		t.Fatalf("deleting the principal's bindings must leave the unmanaged credential: %v", k.scram)
	}
}

func TestACredentialThatBecomesKeptIsLeftAsItIs(t *testing.T) {
	// an adoption record now keeps the application's credential: the update declares no scram and
	// keepScram; the live credential (the one the stack managed until now) must stay, not be deleted
	k := newFakeKafka()
	s := testServer(k, nil)
	old := principalInputs(t, acl("Topic", "a", "Read"))
	old["scram"] = map[string]any{"mechanism": "SCRAM-SHA-512", "iterations": 4096, "password": "the-stacks"}
	if _, _, err := (principalKind{}).create(context.Background(), s, "", old); err != nil {
		t.Fatal(err)
	}
	kept := principalInputs(t, acl("Topic", "a", "Read"))
	kept["keepScram"] = true
	if _, err := (principalKind{}).update(context.Background(), s, "", "User:team.app", old, kept); err != nil {
		t.Fatal(err)
	}
	if k.scram["team.app"]["SCRAM-SHA-512"] != 4096 {
		t.Fatalf("a kept credential was deleted: %v", k.scram)
	}
	// without keepScram, a credential no longer declared is the stack's to delete
	if _, err := (principalKind{}).update(context.Background(), s, "", "User:team.app", old, principalInputs(t, acl("Topic", "a", "Read"))); err != nil {
		t.Fatal(err)
	}
	if _, has := k.scram["team.app"]["SCRAM-SHA-512"]; has {
		t.Fatalf("an undeclared credential of the stack's stayed: %v", k.scram)
	}
}
