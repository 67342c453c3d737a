package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Principal (eventbus:kafka:Principal) owns every ACL binding of one Kafka principal and,
// optionally, its SCRAM credential. Its id is the principal ("User:<team>.<application>").
//
//   - create/update: read the principal's bindings (one DescribeAcls), add what is missing (one
//     CreateAcls batch), remove what is not declared (one DeleteAcls batch of exact filters), then
//     describe again until the cluster reports exactly the declared set;
//   - read (refresh, import): DescribeAcls of the principal, DescribeUserScramCredentials (only the
//     credential the state manages: an imported principal's existing credential stays unmanaged);
//   - delete: DeleteAcls with exact filters for the bindings in the state, and the credential.
type principalArgs struct {
	Principal string     `json:"principal"`
	ACLs      []binding  `json:"acls"`
	SCRAM     *scramArgs `json:"scram,omitempty"`
	// KeepSCRAM: the principal's live credential is the application's own (an adoption record
	// keeps it); with no scram declared it is left as it is, never deleted
	KeepSCRAM bool `json:"keepScram,omitempty"`
}

type scramArgs struct {
	Mechanism  string `json:"mechanism"`
	Iterations int    `json:"iterations"`
	Password   string `json:"password,omitempty"`
}

type principalKind struct{}

func (principalKind) secretPaths() [][]string { return [][]string{{"scram", "password"}} }

func user(principal string) string { return strings.TrimPrefix(principal, "User:") }

func (principalKind) check(news map[string]any) (map[string]any, []*pulumirpc.CheckFailure) {
	var a principalArgs
	if hasUnknowns(news) {
		return news, nil // preview with values not known yet: checked again when they are
	}
	if err := decode(news, &a); err != nil {
		return nil, []*pulumirpc.CheckFailure{{Reason: err.Error()}}
	}
	var fails []*pulumirpc.CheckFailure
	fail := func(prop, format string, args ...any) {
		fails = append(fails, &pulumirpc.CheckFailure{Property: prop, Reason: fmt.Sprintf(format, args...)})
	}
	if !strings.HasPrefix(a.Principal, "User:") || len(a.Principal) == len("User:") {
		fail("principal", "principal %q must be User:<name>", a.Principal)
	}
	seen := map[binding]bool{}
	var acls []binding
	for i, b := range a.ACLs {
		prop := fmt.Sprintf("acls[%d]", i)
		var ok bool
		if b.ResourceType, ok = canonical(resourceTypes, b.ResourceType); !ok {
			fail(prop+".resourceType", "unknown resource type %q (one of %s)", a.ACLs[i].ResourceType, keysOf(resourceTypes))
		}
		if b.PatternType == "" {
			b.PatternType = "Literal"
		}
		if b.PatternType, ok = canonical(patternTypes, b.PatternType); !ok {
			fail(prop+".patternType", "unknown pattern type %q (Literal or Prefixed)", a.ACLs[i].PatternType)
		}
		if b.Operation, ok = canonical(operations, b.Operation); !ok {
			fail(prop+".operation", "unknown operation %q (one of %s)", a.ACLs[i].Operation, keysOf(operations))
		}
		if b.Permission == "" {
			b.Permission = "Allow"
		}
		if b.Permission, ok = canonical(permissions, b.Permission); !ok {
			fail(prop+".permission", "unknown permission %q (Allow or Deny)", a.ACLs[i].Permission)
		}
		if b.Host == "" {
			b.Host = "*"
		}
		if b.ResourceName == "" {
			fail(prop+".resourceName", "resourceName is empty")
		}
		if b.ResourceType == "Cluster" && b.ResourceName != "kafka-cluster" {
			fail(prop+".resourceName", "a Cluster binding's resourceName must be kafka-cluster, not %q", b.ResourceName)
		}
		if !seen[b] {
			seen[b] = true
			acls = append(acls, b)
		}
	}
	sortBindings(acls)
	a.ACLs = acls
	if a.SCRAM != nil {
		if a.SCRAM.Mechanism == "" {
			a.SCRAM.Mechanism = "SCRAM-SHA-512"
		}
		if _, ok := scramMechanisms[a.SCRAM.Mechanism]; !ok {
			fail("scram.mechanism", "unknown SCRAM mechanism %q (SCRAM-SHA-256 or SCRAM-SHA-512)", a.SCRAM.Mechanism)
		}
		if a.SCRAM.Iterations == 0 {
			a.SCRAM.Iterations = 4096
		}
		if a.SCRAM.Iterations < 4096 || a.SCRAM.Iterations > 16384 {
			fail("scram.iterations", "iterations must be between 4096 and 16384, not %d", a.SCRAM.Iterations)
		}
		if a.SCRAM.Password == "" {
			fail("scram.password", "the SCRAM password is empty")
		}
	}
	if len(fails) > 0 {
		return nil, fails
	}
	out := encode(a)
	if a.ACLs == nil {
		out["acls"] = []any{}
	}
	return out, nil
}

func (principalKind) diff(olds, news map[string]any) *pulumirpc.DiffResponse {
	if hasUnknowns(news) {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME}
	}
	return propertyDiff(olds, news, []string{"principal", "acls", "scram"}, map[string]bool{"principal": true})
}

// converge makes the principal's live bindings exactly `want`.
func converge(ctx context.Context, s *server, urn resource.URN, k kafkaAdmin, principal string, want []binding) error {
	live, err := k.describeACLs(ctx, principal)
	if err != nil {
		return err
	}
	add, remove := setDiff(want, live), setDiff(live, want)
	if err := k.createACLs(ctx, principal, add); err != nil {
		return err
	}
	if len(remove) > 0 {
		if err := k.deleteACLs(ctx, principal, remove); err != nil {
			return err
		}
	}
	if len(add) == 0 && len(remove) == 0 {
		return nil
	}
	return confirm(ctx, s, urn, k, principal, want)
}

// confirm waits until the cluster reports exactly `want` for the principal.
func confirm(ctx context.Context, s *server, urn resource.URN, k kafkaAdmin, principal string, want []binding) error {
	deadline := time.Now().Add(time.Duration(s.cfg.ConfirmSeconds) * time.Second)
	wait := 50 * time.Millisecond
	for {
		live, err := k.describeACLs(ctx, principal)
		if err != nil {
			return err
		}
		missing, extra := setDiff(want, live), setDiff(live, want)
		if len(missing) == 0 && len(extra) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: after %ds the cluster still reports %d missing and %d undeclared ACL bindings (missing: %v; undeclared: %v)",
				principal, s.cfg.ConfirmSeconds, len(missing), len(extra), missing, extra)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		if wait < time.Second {
			wait *= 2
		}
	}
}

func setDiff(a, b []binding) []binding {
	in := map[binding]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []binding
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	return out
}

func syncSCRAM(ctx context.Context, k kafkaAdmin, principal string, old, want *scramArgs, keep bool) error {
	u := user(principal)
	if old != nil && (want == nil || old.Mechanism != want.Mechanism) && !(want == nil && keep) {
		if err := k.deleteSCRAM(ctx, u, old.Mechanism); err != nil {
			return err
		}
	}
	if want != nil && (old == nil || *old != *want) {
		return k.upsertSCRAM(ctx, u, want.Mechanism, want.Iterations, want.Password)
	}
	return nil
}

func (principalKind) create(ctx context.Context, s *server, urn resource.URN, news map[string]any) (string, map[string]any, error) {
	var a principalArgs
	if err := decode(news, &a); err != nil {
		return "", nil, err
	}
	k, err := s.kafkaClient()
	if err != nil {
		return "", nil, err
	}
	if err := syncSCRAM(ctx, k, a.Principal, nil, a.SCRAM, a.KeepSCRAM); err != nil {
		return "", nil, err
	}
	if err := converge(ctx, s, urn, k, a.Principal, a.ACLs); err != nil {
		return "", nil, err
	}
	return a.Principal, news, nil
}

func (principalKind) update(ctx context.Context, s *server, urn resource.URN, _ string, olds, news map[string]any) (map[string]any, error) {
	var o, a principalArgs
	if err := decode(olds, &o); err != nil {
		return nil, err
	}
	if err := decode(news, &a); err != nil {
		return nil, err
	}
	k, err := s.kafkaClient()
	if err != nil {
		return nil, err
	}
	if err := syncSCRAM(ctx, k, a.Principal, o.SCRAM, a.SCRAM, a.KeepSCRAM); err != nil {
		return nil, err
	}
	if err := converge(ctx, s, urn, k, a.Principal, a.ACLs); err != nil {
		return nil, err
	}
	return news, nil
}

func (principalKind) read(ctx context.Context, s *server, id string, state, _ map[string]any) (string, map[string]any, map[string]any, error) {
	var st principalArgs
	if err := decode(state, &st); err != nil {
		return "", nil, nil, err
	}
	principal := id
	k, err := s.kafkaClient()
	if err != nil {
		return "", nil, nil, err
	}
	live, err := k.describeACLs(ctx, principal)
	if err != nil {
		return "", nil, nil, err
	}
	creds, err := k.describeSCRAM(ctx, user(principal))
	if err != nil {
		return "", nil, nil, err
	}
	out := principalArgs{Principal: principal, ACLs: live}
	if out.ACLs == nil {
		out.ACLs = []binding{}
	}
	// The password cannot be read back: keep the state's while the same mechanism still exists.
	// A credential the state does not manage (an import, an application whose credential is
	// kept as it was) is not this resource's: it is not reported, so it is never changed or deleted.
	if st.SCRAM != nil {
		if it, ok := creds[st.SCRAM.Mechanism]; ok {
			out.SCRAM = &scramArgs{Mechanism: st.SCRAM.Mechanism, Iterations: it, Password: st.SCRAM.Password}
		}
	}
	if len(live) == 0 && out.SCRAM == nil {
		return "", nil, nil, nil
	}
	m := encode(out)
	return principal, m, m, nil
}

func (principalKind) delete(ctx context.Context, s *server, urn resource.URN, id string, olds map[string]any) error {
	var o principalArgs
	if err := decode(olds, &o); err != nil {
		return err
	}
	k, err := s.kafkaClient()
	if err != nil {
		return err
	}
	if err := k.deleteACLs(ctx, id, o.ACLs); err != nil {
		return err
	}
	if o.SCRAM != nil {
		if err := k.deleteSCRAM(ctx, user(id), o.SCRAM.Mechanism); err != nil {
			return err
		}
	}
	s.logf(ctx, diag.Debug, urn, "deleted %d ACL bindings of %s", len(o.ACLs), id)
	return nil
}
