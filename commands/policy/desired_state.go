package policy

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/store"
	"go.yaml.in/yaml/v3"
)

// maxPolicyFile bounds what apply-policies and diff-policies read: a policy
// file for every product of a large catalog is a few hundred kilobytes.
const maxPolicyFile = 8 << 20

// readPolicySet reads a desired state written by export-policies ("-" is stdin).
func readPolicySet(f *cmdutil.Factory, path string) (store.PolicySet, error) {
	in, err := cmdutil.OpenInput(f, path)
	if err != nil {
		return store.PolicySet{}, err
	}
	defer in.Close()
	b, err := io.ReadAll(io.LimitReader(in, maxPolicyFile+1))
	if err != nil {
		return store.PolicySet{}, store.Errorf(store.EINVALID, "cannot read %s: %v", path, err)
	}
	return ParsePolicySet(path, b)
}

// ParsePolicySet decodes a policy file strictly: unknown keys are errors, so
// a typo cannot silently leave a product out of the desired state.
func ParsePolicySet(name string, b []byte) (store.PolicySet, error) {
	var set store.PolicySet
	if len(b) > maxPolicyFile {
		return set, store.Errorf(store.EINVALID, "%s is larger than %d MB: not a policy file", name, maxPolicyFile>>20)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return set, store.Errorf(store.EINVALID, "%s is empty", name).
			WithHint("write one with: commercectl export-policies > %s", name)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&set); err != nil {
		// yaml names our Go type; a person needs the key and the line.
		msg := strings.ReplaceAll(err.Error(), " in type store.PolicySet", "")
		msg = strings.TrimPrefix(msg, "yaml: ")
		return set, store.Errorf(store.EINVALID, "%s is not a valid policy file: %s", name, msg).
			WithHint("see the format with: commercectl export-policies")
	}
	return set, nil
}

// policySetYAML renders a desired state with each product's name as a comment.
func policySetYAML(set *store.PolicySet, names map[string]string) ([]byte, error) {
	scalar := func(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }
	mapping := func(m map[string]string, comment func(string) string) *yaml.Node {
		n := &yaml.Node{Kind: yaml.MappingNode}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := scalar(m[k])
			v.LineComment = comment(k)
			n.Content = append(n.Content, scalar(k), v)
		}
		return n
	}
	doc := &yaml.Node{Kind: yaml.MappingNode, HeadComment: "Desired state of " + set.Policy + ": apply with commercectl apply-policies -f FILE"}
	doc.Content = append(doc.Content, scalar("policy"), scalar(set.Policy), scalar("default"), scalar(set.Default))
	doc.Content = append(doc.Content, scalar("products"), mapping(set.Products, func(id string) string { return names[id] }))
	doc.Content = append(doc.Content, scalar("offerTypes"), mapping(set.OfferTypes, func(ot string) string { return store.OfferTypeNames[ot] }))
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{doc}}); err != nil {
		return nil, fmt.Errorf("writing YAML: %w", err)
	}
	return buf.Bytes(), enc.Close()
}
