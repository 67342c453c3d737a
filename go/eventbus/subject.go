package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Subject (eventbus:registry:Subject) is one subject of a Confluent-compatible Schema Registry:
// its compatibility level and every schema version, registered oldest first, each once. Its id
// is the subject name. Outputs add, per version, the registry's schema id.
//
// Versions are history: a version whose text changed is refused (merged versions are immutable),
// a version left out of the inputs stays in the registry, and delete never deletes the subject.
// A registration the registry refuses (409 incompatible, 422 invalid) fails with the subject,
// the version and the registry's reason.
type subjectArgs struct {
	Subject       string          `json:"subject"`
	SchemaType    string          `json:"schemaType"`
	Compatibility string          `json:"compatibility"`
	Versions      []schemaVersion `json:"versions"`
}

type schemaVersion struct {
	Version int    `json:"version"`
	Schema  string `json:"schema"`
}

// registered is the registry's schema id of one version (the id in the Confluent wire format).
type registered struct {
	Version int `json:"version"`
	ID      int `json:"id"`
}

type subjectState struct {
	subjectArgs
	Registered []registered `json:"registered"`
}

var compatibilityLevels = map[string]bool{
	"NONE": true, "BACKWARD": true, "BACKWARD_TRANSITIVE": true, "FORWARD": true, "FORWARD_TRANSITIVE": true,
	"FULL": true, "FULL_TRANSITIVE": true,
}

type subjectKind struct{}

func (subjectKind) secretPaths() [][]string { return nil }

func (subjectKind) check(news map[string]any) (map[string]any, []*pulumirpc.CheckFailure) {
	if hasUnknowns(news) {
		return news, nil
	}
	var a subjectArgs
	if err := decode(news, &a); err != nil {
		return nil, []*pulumirpc.CheckFailure{{Reason: err.Error()}}
	}
	var fails []*pulumirpc.CheckFailure
	fail := func(prop, format string, args ...any) {
		fails = append(fails, &pulumirpc.CheckFailure{Property: prop, Reason: fmt.Sprintf(format, args...)})
	}
	if a.Subject == "" {
		fail("subject", "subject is empty")
	}
	if a.SchemaType == "" {
		a.SchemaType = "AVRO"
	}
	if a.SchemaType != "AVRO" && a.SchemaType != "JSON" && a.SchemaType != "PROTOBUF" {
		fail("schemaType", "schemaType %q: AVRO, JSON or PROTOBUF", a.SchemaType)
	}
	if a.Compatibility != "" && !compatibilityLevels[a.Compatibility] {
		fail("compatibility", "unknown compatibility level %q", a.Compatibility)
	}
	if len(a.Versions) == 0 {
		fail("versions", "a subject needs at least one version")
	}
	for i, v := range a.Versions {
		if i > 0 && v.Version <= a.Versions[i-1].Version {
			fail(fmt.Sprintf("versions[%d].version", i), "versions must be listed oldest first (v%d after v%d)", v.Version, a.Versions[i-1].Version)
		}
		if v.Schema == "" {
			fail(fmt.Sprintf("versions[%d].schema", i), "version %d has an empty schema", v.Version)
		}
	}
	if len(fails) > 0 {
		return nil, fails
	}
	return encode(a), nil
}

// immutable reports the first version whose text differs between the registered state and the
// new inputs.
func immutable(olds, news []schemaVersion) error {
	prev := map[int]string{}
	for _, v := range olds {
		prev[v.Version] = v.Schema
	}
	for _, v := range news {
		if old, ok := prev[v.Version]; ok && old != v.Schema {
			return fmt.Errorf("version %d differs from the one registered: merged schema versions are immutable (add v%d.avsc instead)",
				v.Version, news[len(news)-1].Version+1)
		}
	}
	return nil
}

func (subjectKind) diff(olds, news map[string]any) *pulumirpc.DiffResponse {
	if hasUnknowns(news) {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME}
	}
	return propertyDiff(olds, news, []string{"subject", "schemaType", "compatibility", "versions"}, map[string]bool{"subject": true})
}

// sync sets the compatibility level, then registers every version that is missing, in order.
func syncSubject(ctx context.Context, r registryAPI, a subjectArgs, setLevel bool) ([]registered, error) {
	levelPending := setLevel && a.Compatibility != ""
	if levelPending {
		notFound, err := r.setCompatibility(ctx, a.Subject, a.Compatibility)
		if err != nil && !notFound {
			return nil, fmt.Errorf("subject %s: setting compatibility %s: %w", a.Subject, a.Compatibility, err)
		}
		levelPending = notFound // this registry takes config only for existing subjects: after v1
	}
	out := make([]registered, 0, len(a.Versions))
	for _, v := range a.Versions {
		// One request per version: registering a schema the subject already holds returns its id
		// and adds no version (so each version is registered once however often this runs).
		id, err := r.register(ctx, a.Subject, a.SchemaType, v.Schema)
		if err != nil {
			return nil, refusal(a, v, err)
		}
		out = append(out, registered{Version: v.Version, ID: id})
		if levelPending {
			if _, err := r.setCompatibility(ctx, a.Subject, a.Compatibility); err != nil {
				return nil, fmt.Errorf("subject %s: setting compatibility %s: %w", a.Subject, a.Compatibility, err)
			}
			levelPending = false
		}
	}
	return out, nil
}

func refusal(a subjectArgs, v schemaVersion, err error) error {
	var re *registryError
	if errors.As(err, &re) {
		switch re.Status {
		case http.StatusConflict:
			return fmt.Errorf("the schema registry refused version %d of subject %s: incompatible with the registered versions under %s: %s",
				v.Version, a.Subject, orDefault(a.Compatibility, "the registry's level"), orDefault(re.Message, "no reason given"))
		case http.StatusUnprocessableEntity:
			return fmt.Errorf("the schema registry refused version %d of subject %s: invalid schema: %s", v.Version, a.Subject, re.Message)
		case http.StatusUnauthorized, http.StatusForbidden:
			return fmt.Errorf("the schema registry refused version %d of subject %s: not authorised (check eventbus:schemaRegistryUsername/Password): %s",
				v.Version, a.Subject, re.Message)
		}
	}
	return fmt.Errorf("subject %s, version %d: registering it: %w", a.Subject, v.Version, err)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func (subjectKind) create(ctx context.Context, s *server, _ resource.URN, news map[string]any) (string, map[string]any, error) {
	var a subjectArgs
	if err := decode(news, &a); err != nil {
		return "", nil, err
	}
	r, err := s.registryClient()
	if err != nil {
		return "", nil, err
	}
	reg, err := syncSubject(ctx, r, a, true)
	if err != nil {
		return "", nil, err
	}
	return a.Subject, encode(subjectState{a, reg}), nil
}

func (subjectKind) update(ctx context.Context, s *server, _ resource.URN, _ string, olds, news map[string]any) (map[string]any, error) {
	var o subjectState
	var a subjectArgs
	if err := decode(olds, &o); err != nil {
		return nil, err
	}
	if err := decode(news, &a); err != nil {
		return nil, err
	}
	if err := immutable(o.Versions, a.Versions); err != nil {
		return nil, fmt.Errorf("subject %s: %w", a.Subject, err)
	}
	r, err := s.registryClient()
	if err != nil {
		return nil, err
	}
	reg, err := syncSubject(ctx, r, a, o.Compatibility != a.Compatibility || len(o.Registered) == 0)
	if err != nil {
		return nil, err
	}
	return encode(subjectState{a, reg}), nil
}

// read reports, of the versions in the state, those the registry still has (looked up by their
// text, so a registry that folds doc-only changes into an earlier version shows no diff), and the
// subject's level. A subject with none of its versions left is gone.
func (subjectKind) read(ctx context.Context, s *server, id string, state, inputs map[string]any) (string, map[string]any, map[string]any, error) {
	var st subjectState
	if err := decode(state, &st); err != nil {
		return "", nil, nil, err
	}
	if st.Subject == "" {
		st.Subject = id
	}
	if st.SchemaType == "" {
		st.SchemaType = "AVRO"
	}
	r, err := s.registryClient()
	if err != nil {
		return "", nil, nil, err
	}
	level, err := r.getCompatibility(ctx, id)
	if err != nil {
		return "", nil, nil, fmt.Errorf("subject %s: reading its compatibility: %w", id, err)
	}
	kept := subjectState{subjectArgs: subjectArgs{Subject: id, SchemaType: st.SchemaType, Compatibility: level}}
	for _, v := range st.Versions {
		found, vid, _, err := r.lookup(ctx, id, st.SchemaType, v.Schema)
		if err != nil {
			return "", nil, nil, fmt.Errorf("subject %s, version %d: looking it up: %w", id, v.Version, err)
		}
		if found {
			kept.Versions = append(kept.Versions, v)
			kept.Registered = append(kept.Registered, registered{Version: v.Version, ID: vid})
		}
	}
	if len(kept.Versions) == 0 && len(st.Versions) > 0 {
		return "", nil, nil, nil
	}
	if kept.Versions == nil {
		kept.Versions = []schemaVersion{}
		kept.Registered = []registered{}
	}
	return id, encode(kept), encode(kept.subjectArgs), nil
}

func (subjectKind) delete(ctx context.Context, s *server, urn resource.URN, id string, _ map[string]any) error {
	s.logf(ctx, diag.Warning, urn, "subject %s stays in the schema registry: a deploy never deletes subjects (their ids are in stored records)", id)
	return nil
}
