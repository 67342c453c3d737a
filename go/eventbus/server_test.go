package main

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
)

func TestNestedSecretsAreUnwrappedAndRewrapped(t *testing.T) {
	// what the engine sends back for a Principal whose scram output is secret as a whole and
	// whose password is secret inside it
	inner := resource.PropertyMap{"mechanism": resource.NewStringProperty("SCRAM-SHA-512"),
		"password": resource.MakeSecret(resource.NewStringProperty("pw")), "iterations": resource.NewNumberProperty(4096)}
	props := resource.PropertyMap{"principal": resource.NewStringProperty("User:a.b"), "scram": resource.MakeSecret(resource.NewObjectProperty(inner))}
	st, err := plugin.MarshalProperties(props, plugin.MarshalOptions{KeepSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	m, err := fromStruct(st)
	if err != nil {
		t.Fatal(err)
	}
	var a principalArgs
	if err := decode(m, &a); err != nil {
		t.Fatalf("decode: %v (%v)", err, m)
	}
	if a.SCRAM == nil || a.SCRAM.Password != "pw" || a.SCRAM.Iterations != 4096 {
		t.Fatalf("got %+v", a.SCRAM)
	}
	back, err := toStruct(m, principalKind{}.secretPaths())
	if err != nil {
		t.Fatal(err)
	}
	out, err := plugin.UnmarshalProperties(back, plugin.MarshalOptions{KeepSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	if pw := out["scram"].ObjectValue()["password"]; !pw.IsSecret() {
		t.Fatalf("the password must go back to the engine as a secret, got %v", pw)
	}
}
