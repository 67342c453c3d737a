package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/aws"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// binding is one ACL binding, in Kafka's own spelling (as `kafka-acls` and the desired state
// print them): resource type Topic|Group|Cluster|TransactionalId|DelegationToken|User, pattern
// Literal|Prefixed, operation Read|Write|..., permission Allow|Deny.
type binding struct {
	ResourceType string `json:"resourceType"`
	ResourceName string `json:"resourceName"`
	PatternType  string `json:"patternType"`
	Operation    string `json:"operation"`
	Host         string `json:"host"`
	Permission   string `json:"permission"`
}

func (b binding) String() string {
	return fmt.Sprintf("%s %s on %s:%s:%s from %s", b.Permission, b.Operation, b.ResourceType, b.PatternType, b.ResourceName, b.Host)
}

func sortBindings(bs []binding) {
	sort.Slice(bs, func(i, j int) bool { return bs[i].String() < bs[j].String() })
}

var (
	resourceTypes = map[string]kmsg.ACLResourceType{
		"Topic": kmsg.ACLResourceTypeTopic, "Group": kmsg.ACLResourceTypeGroup, "Cluster": kmsg.ACLResourceTypeCluster,
		"TransactionalId": kmsg.ACLResourceTypeTransactionalId, "DelegationToken": kmsg.ACLResourceTypeDelegationToken,
		"User": kmsg.ACLResourceTypeUser,
	}
	patternTypes = map[string]kmsg.ACLResourcePatternType{"Literal": kmsg.ACLResourcePatternTypeLiteral, "Prefixed": kmsg.ACLResourcePatternTypePrefixed}
	operations   = map[string]kmsg.ACLOperation{
		"All": kmsg.ACLOperationAll, "Read": kmsg.ACLOperationRead, "Write": kmsg.ACLOperationWrite,
		"Create": kmsg.ACLOperationCreate, "Delete": kmsg.ACLOperationDelete, "Alter": kmsg.ACLOperationAlter,
		"Describe": kmsg.ACLOperationDescribe, "ClusterAction": kmsg.ACLOperationClusterAction,
		"DescribeConfigs": kmsg.ACLOperationDescribeConfigs, "AlterConfigs": kmsg.ACLOperationAlterConfigs,
		"IdempotentWrite": kmsg.ACLOperationIdempotentWrite, "CreateTokens": kmsg.ACLOperationCreateTokens,
		"DescribeTokens": kmsg.ACLOperationDescribeTokens,
	}
	permissions = map[string]kmsg.ACLPermissionType{"Allow": kmsg.ACLPermissionTypeAllow, "Deny": kmsg.ACLPermissionTypeDeny}
)

func nameOf[T comparable](m map[string]T, v T) string {
	for k, e := range m {
		if e == v {
			return k
		}
	}
	return fmt.Sprint(v)
}

func keysOf[T any](m map[string]T) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

// canonical matches s case-insensitively (and ignoring '_' and '-') against the keys of m.
func canonical[T any](m map[string]T, s string) (string, bool) {
	norm := func(x string) string { return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(x)) }
	for k := range m {
		if norm(k) == norm(s) {
			return k, true
		}
	}
	return "", false
}

// kafkaAdmin is what Principal needs from the cluster.
type kafkaAdmin interface {
	createACLs(ctx context.Context, principal string, bs []binding) error
	describeACLs(ctx context.Context, principal string) ([]binding, error)
	deleteACLs(ctx context.Context, principal string, bs []binding) error
	upsertSCRAM(ctx context.Context, user, mechanism string, iterations int, password string) error
	describeSCRAM(ctx context.Context, user string) (map[string]int, error) // mechanism -> iterations
	deleteSCRAM(ctx context.Context, user, mechanism string) error
}

type franzAdmin struct {
	cl  *kgo.Client
	adm *kadm.Client
	cfg config
}

func newKafkaAdmin(c config) (kafkaAdmin, error) {
	if len(c.BootstrapServers) == 0 {
		return nil, errors.New("provider configuration: bootstrapServers is empty")
	}
	opts := []kgo.Opt{kgo.SeedBrokers(c.BootstrapServers...), kgo.RequestTimeoutOverhead(c.timeout()), kgo.RetryTimeout(c.timeout())}
	if c.TLS {
		opts = append(opts, kgo.DialTLSConfig(&tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: c.SkipTLSVerify})) //nolint:gosec // opt-in
	}
	mech, err := saslFor(c)
	if err != nil {
		return nil, err
	}
	if mech != nil {
		opts = append(opts, kgo.SASL(mech))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("kafka client: %w", err)
	}
	return &franzAdmin{cl: cl, adm: kadm.NewClient(cl), cfg: c}, nil
}

func saslFor(c config) (sasl.Mechanism, error) {
	switch c.SASLMechanism {
	case "none":
		return nil, nil
	case "plain":
		return plain.Auth{User: c.SASLUsername, Pass: c.SASLPassword}.AsMechanism(), nil
	case "scram-sha256":
		return scram.Auth{User: c.SASLUsername, Pass: c.SASLPassword}.AsSha256Mechanism(), nil
	case "scram-sha512":
		return scram.Auth{User: c.SASLUsername, Pass: c.SASLPassword}.AsSha512Mechanism(), nil
	case "aws-iam":
		// Credentials from the environment (what CI's OIDC step exports).
		return aws.ManagedStreamingIAM(func(context.Context) (aws.Auth, error) {
			a := aws.Auth{AccessKey: os.Getenv("AWS_ACCESS_KEY_ID"), SecretKey: os.Getenv("AWS_SECRET_ACCESS_KEY"), SessionToken: os.Getenv("AWS_SESSION_TOKEN")}
			if a.AccessKey == "" || a.SecretKey == "" {
				return a, errors.New("aws-iam: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set")
			}
			return a, nil
		}), nil
	}
	return nil, fmt.Errorf("saslMechanism %q is not supported", c.SASLMechanism)
}

func (f *franzAdmin) createACLs(ctx context.Context, principal string, bs []binding) error {
	if len(bs) == 0 {
		return nil
	}
	req := kmsg.NewPtrCreateACLsRequest()
	for _, b := range bs {
		c := kmsg.NewCreateACLsRequestCreation()
		c.ResourceType, c.ResourceName, c.ResourcePatternType = resourceTypes[b.ResourceType], b.ResourceName, patternTypes[b.PatternType]
		c.Principal, c.Host, c.Operation, c.PermissionType = principal, b.Host, operations[b.Operation], permissions[b.Permission]
		req.Creations = append(req.Creations, c)
	}
	resp, err := req.RequestWith(ctx, f.cl)
	if err != nil {
		return fmt.Errorf("CreateAcls for %s: %w", principal, err)
	}
	var errs []string
	for i, r := range resp.Results {
		if err := kerr.ErrorForCode(r.ErrorCode); err != nil {
			msg := err.Error()
			if r.ErrorMessage != nil && *r.ErrorMessage != "" {
				msg += ": " + *r.ErrorMessage
			}
			errs = append(errs, fmt.Sprintf("%s: %s", bs[i], msg))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("the cluster refused %d of %d ACL bindings of %s: %s", len(errs), len(bs), principal, strings.Join(errs, "; "))
	}
	return nil
}

func (f *franzAdmin) describeACLs(ctx context.Context, principal string) ([]binding, error) {
	req := kmsg.NewPtrDescribeACLsRequest()
	req.ResourceType = kmsg.ACLResourceTypeAny
	req.ResourcePatternType = kmsg.ACLResourcePatternTypeAny
	req.Principal = &principal
	req.Operation = kmsg.ACLOperationAny
	req.PermissionType = kmsg.ACLPermissionTypeAny
	resp, err := req.RequestWith(ctx, f.cl)
	if err != nil {
		return nil, fmt.Errorf("DescribeAcls for %s: %w", principal, err)
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return nil, fmt.Errorf("DescribeAcls for %s: %w", principal, err)
	}
	var out []binding
	for _, r := range resp.Resources {
		for _, a := range r.ACLs {
			if a.Principal != principal {
				continue
			}
			out = append(out, binding{
				ResourceType: nameOf(resourceTypes, r.ResourceType), ResourceName: r.ResourceName,
				PatternType: nameOf(patternTypes, r.ResourcePatternType), Operation: nameOf(operations, a.Operation),
				Host: a.Host, Permission: nameOf(permissions, a.PermissionType),
			})
		}
	}
	sortBindings(out)
	return out, nil
}

func (f *franzAdmin) deleteACLs(ctx context.Context, principal string, bs []binding) error {
	if len(bs) == 0 {
		return nil
	}
	req := kmsg.NewPtrDeleteACLsRequest()
	for _, b := range bs {
		flt := kmsg.NewDeleteACLsRequestFilter()
		name, host, p := b.ResourceName, b.Host, principal
		flt.ResourceType, flt.ResourceName, flt.ResourcePatternType = resourceTypes[b.ResourceType], &name, patternTypes[b.PatternType]
		flt.Principal, flt.Host, flt.Operation, flt.PermissionType = &p, &host, operations[b.Operation], permissions[b.Permission]
		req.Filters = append(req.Filters, flt)
	}
	resp, err := req.RequestWith(ctx, f.cl)
	if err != nil {
		return fmt.Errorf("DeleteAcls for %s: %w", principal, err)
	}
	var errs []string
	for i, r := range resp.Results {
		if err := kerr.ErrorForCode(r.ErrorCode); err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", bs[i], err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("the cluster refused to delete %d ACL bindings of %s: %s", len(errs), principal, strings.Join(errs, "; "))
	}
	return nil
}

var scramMechanisms = map[string]kadm.ScramMechanism{"SCRAM-SHA-256": kadm.ScramSha256, "SCRAM-SHA-512": kadm.ScramSha512}

func (f *franzAdmin) upsertSCRAM(ctx context.Context, user, mechanism string, iterations int, password string) error {
	res, err := f.adm.AlterUserSCRAMs(ctx, nil, []kadm.UpsertSCRAM{{User: user, Mechanism: scramMechanisms[mechanism], Iterations: int32(iterations), Password: password}})
	if err != nil {
		return fmt.Errorf("AlterUserScramCredentials for %s: %w", user, err)
	}
	if r, ok := res[user]; ok && r.Err != nil {
		return fmt.Errorf("the cluster refused the %s credential of %s: %v", mechanism, user, r.Err)
	}
	return nil
}

func (f *franzAdmin) describeSCRAM(ctx context.Context, user string) (map[string]int, error) {
	res, err := f.adm.DescribeUserSCRAMs(ctx, user)
	if err != nil {
		return nil, fmt.Errorf("DescribeUserScramCredentials for %s: %w", user, err)
	}
	out := map[string]int{}
	d, ok := res[user]
	if !ok || errors.Is(d.Err, kerr.ResourceNotFound) {
		return out, nil
	}
	if d.Err != nil {
		return nil, fmt.Errorf("DescribeUserScramCredentials for %s: %w", user, d.Err)
	}
	for _, ci := range d.CredInfos {
		out[nameOf(scramMechanisms, ci.Mechanism)] = int(ci.Iterations)
	}
	return out, nil
}

func (f *franzAdmin) deleteSCRAM(ctx context.Context, user, mechanism string) error {
	res, err := f.adm.AlterUserSCRAMs(ctx, []kadm.DeleteSCRAM{{User: user, Mechanism: scramMechanisms[mechanism]}}, nil)
	if err != nil {
		return fmt.Errorf("AlterUserScramCredentials (delete) for %s: %w", user, err)
	}
	if r, ok := res[user]; ok && r.Err != nil && !errors.Is(r.Err, kerr.ResourceNotFound) {
		return fmt.Errorf("the cluster refused to delete the %s credential of %s: %v", mechanism, user, r.Err)
	}
	return nil
}
