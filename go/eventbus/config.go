package main

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// config is the provider's configuration: how to reach the Kafka cluster (for Principal) and the
// schema registry (for Subject). Secrets (passwords) come from the stack's secret config.
type config struct {
	BootstrapServers []string `json:"bootstrapServers"`
	TLS              bool     `json:"tls"`
	SkipTLSVerify    bool     `json:"skipTlsVerify"`
	SASLMechanism    string   `json:"saslMechanism"` // plain | scram-sha256 | scram-sha512 | aws-iam | none
	SASLUsername     string   `json:"saslUsername"`
	SASLPassword     string   `json:"saslPassword"`
	AWSRegion        string   `json:"awsRegion"`

	RegistryURL      string `json:"registryUrl"`
	RegistryUsername string `json:"registryUsername"`
	RegistryPassword string `json:"registryPassword"`

	// TimeoutSeconds bounds each Kafka admin request and each registry call.
	TimeoutSeconds int `json:"timeoutSeconds"`
	// ConfirmSeconds bounds how long Principal waits until every broker it asks reports the
	// bindings it created (KRaft brokers apply metadata asynchronously).
	ConfirmSeconds int `json:"confirmSeconds"`
}

func parseConfig(args map[string]any) (config, error) {
	var c config
	if err := decode(args, &c); err != nil {
		return c, fmt.Errorf("provider configuration: %w", err)
	}
	if c.SASLMechanism == "" {
		c.SASLMechanism = "scram-sha512"
	}
	if _, err := saslMechanism(c.SASLMechanism); err != nil {
		return c, err
	}
	if c.TimeoutSeconds <= 0 {
		c.TimeoutSeconds = 60
	}
	if c.ConfirmSeconds <= 0 {
		c.ConfirmSeconds = 60
	}
	if c.AWSRegion == "" {
		c.AWSRegion = os.Getenv("AWS_REGION")
	}
	c.RegistryURL = strings.TrimRight(c.RegistryURL, "/")
	return c, nil
}

func (c config) timeout() time.Duration { return time.Duration(c.TimeoutSeconds) * time.Second }

func saslMechanism(m string) (string, error) {
	switch strings.ToLower(m) {
	case "plain", "scram-sha256", "scram-sha512", "aws-iam", "none":
		return strings.ToLower(m), nil
	}
	return "", fmt.Errorf("saslMechanism %q: use plain, scram-sha256, scram-sha512, aws-iam or none", m)
}
