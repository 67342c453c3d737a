// pulumi-resource-eventbus: the event bus's own Pulumi resource provider.
//
// Resources (see schema.json and docs/stacks-and-access.md):
//
//	eventbus:kafka:Principal    every ACL binding of one Kafka principal (one CreateAcls batch,
//	                            exact DeleteAcls filters) and, optionally, its SCRAM credential
//	eventbus:registry:Subject   one Confluent Schema Registry subject: its compatibility level and
//	                            every schema version, registered in order, each once; never deleted
//
// The engine starts it like any provider plugin; it prints its gRPC port on stdout.
package main

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// version is set with -ldflags "-X main.version=...".
var version = "0.0.0-dev"

const providerName = "eventbus"

func main() {
	err := provider.Main(providerName, func(host *provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return newServer(host), nil
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
}
