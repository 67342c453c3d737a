package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// registryAPI is what Subject needs from a Confluent-compatible Schema Registry (Confluent's own
// server, or Apicurio's ccompat API: see docs/local-environment.md for the differences).
type registryAPI interface {
	// setCompatibility sets the subject-level compatibility. notFound: the registry refuses
	// config for a subject that has no version yet.
	setCompatibility(ctx context.Context, subject, level string) (notFound bool, err error)
	// getCompatibility returns the subject's level, "" when it has none of its own.
	getCompatibility(ctx context.Context, subject string) (string, error)
	// lookup finds a schema under the subject: its global id and subject version.
	lookup(ctx context.Context, subject, schemaType, schema string) (found bool, id, version int, err error)
	// register adds the schema as the subject's next version (the registry checks compatibility).
	register(ctx context.Context, subject, schemaType, schema string) (id int, err error)
}

// registryError is an answer of the registry other than success.
type registryError struct {
	Status  int
	Code    int
	Message string
}

func (e *registryError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("HTTP %d", e.Status)
	}
	return fmt.Sprintf("HTTP %d (error %d): %s", e.Status, e.Code, e.Message)
}

type registryClient struct {
	base       string
	user, pass string
	http       *http.Client
}

func newRegistryClient(c config) (registryAPI, error) {
	if c.RegistryURL == "" {
		return nil, errors.New("provider configuration: registryUrl is empty (the stack's eventbus:schemaRegistry.url)")
	}
	if _, err := url.Parse(c.RegistryURL); err != nil {
		return nil, fmt.Errorf("provider configuration: registryUrl: %w", err)
	}
	return &registryClient{base: c.RegistryURL, user: c.RegistryUsername, pass: c.RegistryPassword, http: &http.Client{Timeout: c.timeout()}}, nil
}

const contentType = "application/vnd.schemaregistry.v1+json"

// call sends one request (retrying connection errors and 5xx answers a few times) and decodes a
// 2xx JSON answer into out.
func (r *registryClient) call(ctx context.Context, method, path string, body, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return err
		}
	}
	var last error
	for attempt := 0; attempt < 4; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt*attempt) * 250 * time.Millisecond):
			}
		}
		req, err := http.NewRequestWithContext(ctx, method, r.base+path, bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Accept", contentType+", application/json")
		if body != nil {
			req.Header.Set("Content-Type", contentType)
		}
		if r.user != "" || r.pass != "" {
			req.SetBasicAuth(r.user, r.pass)
		}
		resp, err := r.http.Do(req)
		if err != nil {
			last = err
			continue
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
		_ = resp.Body.Close()
		if err != nil {
			last = err
			continue
		}
		if resp.StatusCode >= 500 {
			last = parseRegistryError(resp.StatusCode, data)
			continue
		}
		if resp.StatusCode >= 300 {
			return parseRegistryError(resp.StatusCode, data)
		}
		if out != nil {
			if err := json.Unmarshal(data, out); err != nil {
				return fmt.Errorf("%s %s: unexpected answer %q: %w", method, path, truncate(string(data), 200), err)
			}
		}
		return nil
	}
	return fmt.Errorf("%s %s%s: %w", method, r.base, path, last)
}

func parseRegistryError(status int, data []byte) *registryError {
	e := &registryError{Status: status}
	var body struct {
		ErrorCode int    `json:"error_code"`
		Message   string `json:"message"`
	}
	if json.Unmarshal(data, &body) == nil {
		e.Code, e.Message = body.ErrorCode, body.Message
	} else {
		e.Message = truncate(strings.TrimSpace(string(data)), 300)
	}
	return e
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func subjectPath(subject string) string { return url.PathEscape(subject) }

func schemaBody(schemaType, schema string) map[string]any {
	b := map[string]any{"schema": schema}
	if schemaType != "" && schemaType != "AVRO" {
		b["schemaType"] = schemaType
	}
	return b
}

func (r *registryClient) setCompatibility(ctx context.Context, subject, level string) (bool, error) {
	err := r.call(ctx, http.MethodPut, "/config/"+subjectPath(subject), map[string]string{"compatibility": level}, nil)
	var re *registryError
	if errors.As(err, &re) && re.Status == http.StatusNotFound {
		return true, err
	}
	return false, err
}

func (r *registryClient) getCompatibility(ctx context.Context, subject string) (string, error) {
	var out struct {
		CompatibilityLevel string `json:"compatibilityLevel"`
		Compatibility      string `json:"compatibility"`
	}
	err := r.call(ctx, http.MethodGet, "/config/"+subjectPath(subject), nil, &out)
	var re *registryError
	if errors.As(err, &re) && re.Status == http.StatusNotFound {
		return "", nil // Confluent: no subject-level config (40401 / 40408)
	}
	if err != nil {
		return "", err
	}
	if out.CompatibilityLevel != "" {
		return out.CompatibilityLevel, nil
	}
	return out.Compatibility, nil
}

func (r *registryClient) lookup(ctx context.Context, subject, schemaType, schema string) (bool, int, int, error) {
	var out struct {
		ID      int `json:"id"`
		Version int `json:"version"`
	}
	err := r.call(ctx, http.MethodPost, "/subjects/"+subjectPath(subject), schemaBody(schemaType, schema), &out)
	var re *registryError
	if errors.As(err, &re) && re.Status == http.StatusNotFound {
		return false, 0, 0, nil // 40401 subject not found, 40403 schema not found
	}
	if err != nil {
		return false, 0, 0, err
	}
	return true, out.ID, out.Version, nil
}

func (r *registryClient) register(ctx context.Context, subject, schemaType, schema string) (int, error) {
	var out struct {
		ID int `json:"id"`
	}
	if err := r.call(ctx, http.MethodPost, "/subjects/"+subjectPath(subject)+"/versions", schemaBody(schemaType, schema), &out); err != nil {
		return 0, err
	}
	return out.ID, nil
}
