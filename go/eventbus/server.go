package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

//go:embed schema.json
var schemaJSON string

// kind is one resource type of this provider. Inputs and outputs travel as plain JSON-like maps
// (secrets unwrapped on the way in, re-wrapped on the way out by the kind's secretPaths).
type kind interface {
	check(news map[string]any) (map[string]any, []*pulumirpc.CheckFailure)
	diff(olds, news map[string]any) *pulumirpc.DiffResponse
	create(ctx context.Context, s *server, urn resource.URN, news map[string]any) (string, map[string]any, error)
	read(ctx context.Context, s *server, id string, state, inputs map[string]any) (string, map[string]any, map[string]any, error)
	update(ctx context.Context, s *server, urn resource.URN, id string, olds, news map[string]any) (map[string]any, error)
	delete(ctx context.Context, s *server, urn resource.URN, id string, olds map[string]any) error
	secretPaths() [][]string
}

type server struct {
	pulumirpc.UnimplementedResourceProviderServer

	host  *provider.HostClient
	kinds map[string]kind

	mu          sync.Mutex
	cfg         config
	kafka       kafkaAdmin
	registry    registryAPI
	newKafka    func(config) (kafkaAdmin, error)
	newRegistry func(config) (registryAPI, error)
}

func newServer(host *provider.HostClient) *server {
	return &server{
		host: host,
		kinds: map[string]kind{
			"eventbus:kafka:Principal":  principalKind{},
			"eventbus:registry:Subject": subjectKind{},
		},
		newKafka:    newKafkaAdmin,
		newRegistry: newRegistryClient,
	}
}

func (s *server) kafkaClient() (kafkaAdmin, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kafka == nil {
		k, err := s.newKafka(s.cfg)
		if err != nil {
			return nil, err
		}
		s.kafka = k
	}
	return s.kafka, nil
}

func (s *server) registryClient() (registryAPI, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.registry == nil {
		r, err := s.newRegistry(s.cfg)
		if err != nil {
			return nil, err
		}
		s.registry = r
	}
	return s.registry, nil
}

func (s *server) logf(ctx context.Context, sev diag.Severity, urn resource.URN, format string, args ...any) {
	if s.host != nil {
		_ = s.host.Log(ctx, sev, urn, fmt.Sprintf(format, args...))
	}
}

func (s *server) kindOf(urn string) (kind, error) {
	t := string(resource.URN(urn).Type())
	k, ok := s.kinds[t]
	if !ok {
		return nil, status.Errorf(codes.InvalidArgument, "unknown resource type %q (this provider has %s)", t, strings.Join(s.kindNames(), ", "))
	}
	return k, nil
}

func (s *server) kindNames() []string {
	var out []string
	for k := range s.kinds {
		out = append(out, k)
	}
	return out
}

// ---------------------------------------------------------------------------------------------
// Property conversion
// ---------------------------------------------------------------------------------------------

// unknownValue stands for a value not known yet (preview).
const unknownValue = "\x00unknown"

func fromStruct(st *structpb.Struct) (map[string]any, error) {
	props, err := plugin.UnmarshalProperties(st, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true})
	if err != nil {
		return nil, err
	}
	return normalizeNumbers(props.MapRepl(nil, plainValue)).(map[string]any), nil
}

// plainValue unwraps secrets and known outputs (at any depth) and marks unknowns.
func plainValue(v resource.PropertyValue) (any, bool) {
	switch {
	case v.IsComputed() || (v.IsOutput() && !v.OutputValue().Known):
		return unknownValue, true
	case v.IsOutput():
		return v.OutputValue().Element.MapRepl(nil, plainValue), true
	case v.IsSecret():
		return v.SecretValue().Element.MapRepl(nil, plainValue), true
	}
	return nil, false
}

// normalizeNumbers turns whole float64 values into int (property maps carry every number as float64).
func normalizeNumbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = normalizeNumbers(e)
		}
		return t
	case []any:
		for i, e := range t {
			t[i] = normalizeNumbers(e)
		}
		return t
	case float64:
		if t == float64(int(t)) {
			return int(t)
		}
	}
	return v
}

func toStruct(m map[string]any, secrets [][]string) (*structpb.Struct, error) {
	props := resource.NewPropertyMapFromMap(m)
	for _, path := range secrets {
		markSecret(props, path)
	}
	return plugin.MarshalProperties(props, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true})
}

func markSecret(props resource.PropertyMap, path []string) {
	key := resource.PropertyKey(path[0])
	v, ok := props[key]
	if !ok || v.IsNull() {
		return
	}
	if len(path) == 1 {
		props[key] = resource.MakeSecret(v)
		return
	}
	if v.IsObject() {
		markSecret(v.ObjectValue(), path[1:])
	}
}

// decode converts a plain map into a typed struct (through JSON).
func decode(m map[string]any, out any) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// encode converts a typed struct into a plain map (through JSON).
func encode(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	return normalizeNumbers(m).(map[string]any)
}

func hasUnknowns(v any) bool {
	switch t := v.(type) {
	case string:
		return t == unknownValue
	case map[string]any:
		for _, e := range t {
			if hasUnknowns(e) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if hasUnknowns(e) {
				return true
			}
		}
	}
	return false
}

// ---------------------------------------------------------------------------------------------
// Provider-level calls
// ---------------------------------------------------------------------------------------------

func (s *server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (s *server) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	var schema map[string]any
	if err := json.Unmarshal([]byte(schemaJSON), &schema); err != nil {
		return nil, err
	}
	schema["version"] = version
	b, err := json.Marshal(schema)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetSchemaResponse{Schema: string(b)}, nil
}

func (s *server) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (s *server) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := fromStruct(req.GetNews())
	if err != nil {
		return nil, err
	}
	var failures []*pulumirpc.CheckFailure
	if m, ok := news["saslMechanism"].(string); ok && m != unknownValue {
		if _, err := saslMechanism(m); err != nil {
			failures = append(failures, &pulumirpc.CheckFailure{Property: "saslMechanism", Reason: err.Error()})
		}
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: failures}, nil
}

func (s *server) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := fromStruct(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	news, err := fromStruct(req.GetNews())
	if err != nil {
		return nil, err
	}
	// Config changes (a new registry URL, rotated credentials) never replace resources.
	var diffs []string
	for k := range union(olds, news) {
		if !reflect.DeepEqual(olds[k], news[k]) && k != "version" {
			diffs = append(diffs, k)
		}
	}
	change := pulumirpc.DiffResponse_DIFF_NONE
	if len(diffs) > 0 {
		change = pulumirpc.DiffResponse_DIFF_SOME
	}
	return &pulumirpc.DiffResponse{Changes: change, Diffs: diffs}, nil
}

func union(a, b map[string]any) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func (s *server) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	var args map[string]any
	if req.GetArgs() != nil {
		var err error
		if args, err = fromStruct(req.GetArgs()); err != nil {
			return nil, err
		}
	} else {
		args = map[string]any{}
		for k, v := range req.GetVariables() { // legacy: "eventbus:config:<key>" = JSON or plain text
			key := k[strings.LastIndex(k, ":")+1:]
			var parsed any
			if json.Unmarshal([]byte(v), &parsed) == nil {
				args[key] = parsed
			} else {
				args[key] = v
			}
		}
	}
	cfg, err := parseConfig(args)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	s.mu.Lock()
	s.cfg, s.kafka, s.registry = cfg, nil, nil
	s.mu.Unlock()
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true}, nil
}

// ---------------------------------------------------------------------------------------------
// Resource calls
// ---------------------------------------------------------------------------------------------

func (s *server) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	k, err := s.kindOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	news, err := fromStruct(req.GetNews())
	if err != nil {
		return nil, err
	}
	inputs, failures := k.check(news)
	if len(failures) > 0 {
		return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: failures}, nil
	}
	st, err := toStruct(inputs, k.secretPaths())
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: st}, nil
}

func (s *server) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	k, err := s.kindOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	olds, err := fromStruct(req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := fromStruct(req.GetNews())
	if err != nil {
		return nil, err
	}
	return k.diff(olds, news), nil
}

func (s *server) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	k, err := s.kindOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	news, err := fromStruct(req.GetProperties())
	if err != nil {
		return nil, err
	}
	id, outs, err := k.create(ctx, s, resource.URN(req.GetUrn()), news)
	if err != nil {
		return nil, status.Error(codes.Unknown, err.Error())
	}
	st, err := toStruct(outs, k.secretPaths())
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: st}, nil
}

func (s *server) Read(ctx context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	k, err := s.kindOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	state, err := fromStruct(req.GetProperties())
	if err != nil {
		return nil, err
	}
	inputs, err := fromStruct(req.GetInputs())
	if err != nil {
		return nil, err
	}
	id, outs, ins, err := k.read(ctx, s, req.GetId(), state, inputs)
	if err != nil {
		return nil, status.Error(codes.Unknown, err.Error())
	}
	if id == "" {
		return &pulumirpc.ReadResponse{}, nil // gone: the engine drops it from the state
	}
	ost, err := toStruct(outs, k.secretPaths())
	if err != nil {
		return nil, err
	}
	ist, err := toStruct(ins, k.secretPaths())
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: id, Properties: ost, Inputs: ist}, nil
}

func (s *server) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	k, err := s.kindOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	olds, err := fromStruct(req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := fromStruct(req.GetNews())
	if err != nil {
		return nil, err
	}
	outs, err := k.update(ctx, s, resource.URN(req.GetUrn()), req.GetId(), olds, news)
	if err != nil {
		return nil, status.Error(codes.Unknown, err.Error())
	}
	st, err := toStruct(outs, k.secretPaths())
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: st}, nil
}

func (s *server) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	k, err := s.kindOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	olds, err := fromStruct(req.GetProperties())
	if err != nil {
		return nil, err
	}
	if err := k.delete(ctx, s, resource.URN(req.GetUrn()), req.GetId(), olds); err != nil {
		return nil, status.Error(codes.Unknown, err.Error())
	}
	return &emptypb.Empty{}, nil
}

// ---------------------------------------------------------------------------------------------
// Diff helpers
// ---------------------------------------------------------------------------------------------

// propertyDiff builds a DiffResponse from the top-level keys that changed; keys in replaceKeys
// force a replacement.
func propertyDiff(olds, news map[string]any, keys []string, replaceKeys map[string]bool) *pulumirpc.DiffResponse {
	resp := &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE, DetailedDiff: map[string]*pulumirpc.PropertyDiff{}, HasDetailedDiff: true}
	for _, k := range keys {
		o, n := olds[k], news[k]
		if reflect.DeepEqual(o, n) {
			continue
		}
		resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
		resp.Diffs = append(resp.Diffs, k)
		pd := &pulumirpc.PropertyDiff{Kind: pulumirpc.PropertyDiff_UPDATE, InputDiff: true}
		switch {
		case o == nil:
			pd.Kind = pulumirpc.PropertyDiff_ADD
		case n == nil:
			pd.Kind = pulumirpc.PropertyDiff_DELETE
		}
		if replaceKeys[k] {
			resp.Replaces = append(resp.Replaces, k)
			pd.Kind += 1 // ADD_REPLACE, DELETE_REPLACE, UPDATE_REPLACE follow their plain kinds
		}
		resp.DetailedDiff[k] = pd
	}
	return resp
}
