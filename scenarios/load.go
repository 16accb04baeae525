package scenarios

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/sandbank/sandbank/openapi"
)

// Error is one problem in a scenario file, with where it is.
type Error struct {
	File         string
	Line, Column int
	Path         string // a JSON Pointer into the scenario, such as /rules/0/fault/code
	Msg          string
}

func (e *Error) Error() string {
	where := fmt.Sprintf("%d:%d", e.Line, e.Column)
	if e.File != "" {
		where = e.File + ":" + where
	}
	return where + ": " + e.Msg
}

// Errors is every problem found in a scenario.
type Errors []*Error

func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// LoadFile reads and checks a scenario file.
func LoadFile(file string) (*Scenario, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return Parse(file, data)
}

// Parse reads a scenario (YAML, or JSON, which is YAML too) and checks it
// completely: unknown fields and bad values are errors with their line
// and column, all of them at once.
func Parse(file string, data []byte) (*Scenario, error) {
	l := &loader{file: file}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		l.decodeError(nil, "", err)
		return nil, l.errs
	}
	if len(f.Docs) != 1 || f.Docs[0].Body == nil {
		l.errs = append(l.errs, &Error{File: file, Line: 1, Column: 1, Msg: "a scenario file holds exactly one YAML document"})
		return nil, l.errs
	}
	sc := l.scenario(f.Docs[0].Body)
	if len(l.errs) > 0 {
		sort.SliceStable(l.errs, func(i, j int) bool {
			a, b := l.errs[i], l.errs[j]
			return a.Line < b.Line || (a.Line == b.Line && a.Column < b.Column)
		})
		return nil, l.errs
	}
	return sc, nil
}

type loader struct {
	file string
	errs Errors
}

func (l *loader) fail(n ast.Node, path, format string, args ...any) {
	line, col := 1, 1
	// A block mapping's token is its first ":"; point at its first key.
	switch m := n.(type) {
	case *ast.MappingNode:
		if !m.IsFlowStyle && len(m.Values) > 0 {
			n = m.Values[0].Key
		}
	case *ast.MappingValueNode:
		n = m.Key
	}
	if n != nil {
		if tk := n.GetToken(); tk != nil && tk.Position != nil {
			line, col = tk.Position.Line, tk.Position.Column
		}
	}
	l.errs = append(l.errs, &Error{File: l.file, Line: line, Column: col, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// decodeError turns a go-yaml error into ours, keeping its position.
func (l *loader) decodeError(n ast.Node, path string, err error) {
	var ye interface {
		GetToken() *token.Token
		GetMessage() string
	}
	if errors.As(err, &ye) {
		msg := ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			l.errs = append(l.errs, &Error{File: l.file, Line: tk.Position.Line, Column: tk.Position.Column, Path: path, Msg: msg})
			return
		}
		l.fail(n, path, "%s", msg)
		return
	}
	l.fail(n, path, "%v", err)
}

func keyOf(kv *ast.MappingValueNode) string {
	if tk := kv.Key.GetToken(); tk != nil {
		return tk.Value
	}
	return kv.Key.String()
}

func (l *loader) mapping(n ast.Node, path, what string) *ast.MappingNode {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m
	case *ast.MappingValueNode: // a mapping with a single key
		return &ast.MappingNode{BaseNode: m.BaseNode, Start: m.GetToken(), Values: []*ast.MappingValueNode{m}}
	}
	l.fail(n, path, "%s must be a mapping", what)
	return nil
}

func (l *loader) sequence(n ast.Node, path, what string) []ast.Node {
	if s, ok := n.(*ast.SequenceNode); ok {
		return s.Values
	}
	l.fail(n, path, "%s must be a list", what)
	return nil
}

// scalar decodes a node into a Go value, reporting a type mismatch in the
// user's words.
func (l *loader) scalar(n ast.Node, path, want string, v any) bool {
	if _, isNull := n.(*ast.NullNode); isNull || n == nil {
		l.fail(n, path, "expected %s, got nothing", want)
		return false
	}
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode, *ast.SequenceNode:
		l.fail(n, path, "expected %s, got a %s", want, strings.ToLower(n.Type().String()))
		return false
	}
	if err := yaml.NodeToValue(n, v); err != nil {
		l.fail(n, path, "expected %s, got %q", want, n.String())
		return false
	}
	return true
}

func (l *loader) str(n ast.Node, path string) string {
	var s string
	l.scalar(n, path, "a string", &s)
	return s
}

var scenarioName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

func (l *loader) scenario(root ast.Node) *Scenario {
	m := l.mapping(root, "", "a scenario")
	if m == nil {
		return nil
	}
	sc := &Scenario{Source: l.file}
	seen := map[string]bool{}
	for _, kv := range m.Values {
		key := keyOf(kv)
		p := "/" + key
		if seen[key] {
			l.fail(kv.Key, p, "%s is given twice", key)
		}
		seen[key] = true
		switch key {
		case "name":
			sc.Name = l.str(kv.Value, p)
			if sc.Name != "" && !scenarioName.MatchString(sc.Name) {
				l.fail(kv.Value, p, "name %q: use lower-case letters, digits, - and _ (at most 63)", sc.Name)
			}
		case "description":
			sc.Description = l.str(kv.Value, p)
		case "seed":
			var seed uint64
			if l.scalar(kv.Value, p, "a non-negative integer", &seed) {
				sc.Seed = &seed
			}
		case "rules":
			names := map[string]bool{}
			list := l.sequence(kv.Value, p, "rules")
			if list != nil && len(list) == 0 {
				l.fail(kv.Value, p, "a scenario needs at least one rule")
			}
			for i, rn := range list {
				if r := l.rule(rn, fmt.Sprintf("%s/%d", p, i)); r != nil {
					if r.Name == "" {
						r.Name = fmt.Sprintf("rule-%d", i+1)
					}
					if names[r.Name] {
						l.fail(valueOf(rn, "name"), fmt.Sprintf("%s/%d/name", p, i), "two rules are named %q", r.Name)
					}
					names[r.Name] = true
					sc.Rules = append(sc.Rules, r)
				}
			}
		default:
			l.fail(kv.Key, p, "unknown field %q (a scenario has name, description, seed and rules)", key)
		}
	}
	if !seen["name"] {
		l.fail(m, "/name", "a scenario needs a name")
	}
	if !seen["rules"] {
		l.fail(m, "/rules", "a scenario needs rules")
	}
	return sc
}

// valueOf is the value of key in a mapping node, or the node itself.
func valueOf(n ast.Node, key string) ast.Node {
	switch m := n.(type) {
	case *ast.MappingNode:
		for _, kv := range m.Values {
			if keyOf(kv) == key {
				return kv.Value
			}
		}
	case *ast.MappingValueNode:
		if keyOf(m) == key {
			return m.Value
		}
	}
	return n
}

var ruleFields = []string{"name", "match", "fault", "steps", "repeat", "nth", "every", "probability", "limit", "tenants"}

func (l *loader) rule(n ast.Node, path string) *Rule {
	m := l.mapping(n, path, "a rule")
	if m == nil {
		return nil
	}
	r := &Rule{}
	seen := map[string]ast.Node{}
	for _, kv := range m.Values {
		key := keyOf(kv)
		p := path + "/" + key
		if _, dup := seen[key]; dup {
			l.fail(kv.Key, p, "%s is given twice", key)
		}
		seen[key] = kv.Value
		switch key {
		case "name":
			r.Name = l.str(kv.Value, p)
		case "match":
			r.Match = l.match(kv.Value, p)
		case "fault":
			in, pass := l.injection(kv.Value, p)
			if pass {
				l.fail(kv.Value, p, "a rule's fault cannot be pass (use steps: [..., pass])")
			}
			r.Fault = in
		case "steps":
			for i, sn := range l.sequence(kv.Value, p, "steps") {
				in, _ := l.injection(sn, fmt.Sprintf("%s/%d", p, i))
				r.Steps = append(r.Steps, in)
			}
			if len(r.Steps) == 0 {
				l.fail(kv.Value, p, "steps needs at least one step")
			}
		case "repeat":
			l.scalar(kv.Value, p, "true or false", &r.Repeat)
		case "nth":
			if l.scalar(kv.Value, p, "a whole number", &r.Nth) && r.Nth < 1 {
				l.fail(kv.Value, p, "nth counts matches from 1")
			}
		case "every":
			if l.scalar(kv.Value, p, "a whole number", &r.Every) && r.Every < 1 {
				l.fail(kv.Value, p, "every must be 1 or more")
			}
		case "probability":
			if l.scalar(kv.Value, p, "a number", &r.Probability) && (r.Probability <= 0 || r.Probability > 1) {
				l.fail(kv.Value, p, "probability must be more than 0 and at most 1")
			}
		case "limit":
			if l.scalar(kv.Value, p, "a whole number", &r.Limit) && r.Limit < 1 {
				l.fail(kv.Value, p, "limit must be 1 or more (leave it out for no limit)")
			}
		case "tenants":
			for i, tn := range l.sequence(kv.Value, p, "tenants") {
				r.Tenants = append(r.Tenants, l.str(tn, fmt.Sprintf("%s/%d", p, i)))
			}
		default:
			l.fail(kv.Key, p, "unknown field %q (a rule has %s)", key, strings.Join(ruleFields, ", "))
		}
	}
	_, hasFault := seen["fault"]
	_, hasSteps := seen["steps"]
	switch {
	case hasFault && hasSteps:
		l.fail(seen["steps"], path+"/steps", "a rule has either fault or steps, not both")
	case !hasFault && !hasSteps:
		l.fail(m, path, "a rule needs a fault (or steps)")
	}
	var selections []string
	for _, k := range []string{"nth", "every", "probability"} {
		if _, ok := seen[k]; ok {
			selections = append(selections, k)
		}
	}
	if len(selections) > 1 {
		l.fail(seen[selections[1]], path+"/"+selections[1], "choose one selection: %s", strings.Join(selections, " or "))
	}
	if hasSteps && len(selections) > 0 {
		l.fail(seen[selections[0]], path+"/"+selections[0], "steps already say which matches are hit; %s cannot be combined with them", selections[0])
	}
	if _, ok := seen["repeat"]; ok && !hasSteps {
		l.fail(seen["repeat"], path+"/repeat", "repeat applies to steps")
	}
	l.checkRuleKind(r, seen, path)
	return r
}

var eventPattern = regexp.MustCompile(`^[a-z_]+(\.[a-z_]+)*(\.\*)?$`)

// checkRuleKind keeps a rule to one kind: request faults with request
// matches, or webhook faults with an event match.
func (l *loader) checkRuleKind(r *Rule, seen map[string]ast.Node, path string) {
	kinds := map[bool]int{}
	for _, in := range append([]*Injection{r.Fault}, r.Steps...) {
		if in != nil {
			kinds[IsWebhookFault(in)]++
		}
	}
	if kinds[true] > 0 && kinds[false] > 0 {
		l.fail(seen["steps"], path+"/steps", "a rule's steps are all webhook faults or none")
		return
	}
	webhook := kinds[true] > 0
	m := r.Match
	httpMatch := m.Method != "" || m.Path != "" || m.Operation != "" || len(m.Headers) > 0 || len(m.Query) > 0 || len(m.Body) > 0
	switch {
	case webhook && httpMatch:
		l.fail(seen["match"], path+"/match", "a webhook fault acts on event deliveries: match them with event, not with method, path, operation, headers, query or body")
	case !webhook && m.Event != "":
		l.fail(seen["match"], path+"/match/event", "match.event is for webhook faults (webhook_duplicate, webhook_fail, …); this rule's fault acts on requests")
	}
}

var matchFields = []string{"method", "path", "operation", "headers", "query", "body", "event"}

func (l *loader) match(n ast.Node, path string) Match {
	var m Match
	mn := l.mapping(n, path, "match")
	if mn == nil {
		return m
	}
	var methodNode, pathNode, opNode ast.Node
	for _, kv := range mn.Values {
		key := keyOf(kv)
		p := path + "/" + key
		switch key {
		case "method":
			methodNode = kv.Value
			m.Method = strings.ToUpper(l.str(kv.Value, p))
			if m.Method != "" && !slices.Contains([]string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead, http.MethodOptions}, m.Method) {
				l.fail(kv.Value, p, "%q is not an HTTP method", m.Method)
			}
		case "path":
			pathNode = kv.Value
			m.Path = l.str(kv.Value, p)
			if m.Path != "" && !strings.HasPrefix(m.Path, "/") {
				l.fail(kv.Value, p, "a path starts with /")
			}
		case "operation":
			opNode = kv.Value
			m.Operation = l.str(kv.Value, p)
		case "event":
			m.Event = l.str(kv.Value, p)
			if m.Event != "" && m.Event != "*" && !eventPattern.MatchString(m.Event) {
				l.fail(kv.Value, p, "%q is not an event type: write payment.succeeded, payment.* or *", m.Event)
			}
		case "headers":
			m.Headers = l.stringMap(kv.Value, p, key)
		case "query":
			m.Query = l.stringMap(kv.Value, p, key)
		case "body":
			bm := l.mapping(kv.Value, p, "body")
			if bm == nil {
				continue
			}
			m.Body = map[string]any{}
			for _, bkv := range bm.Values {
				ptr := keyOf(bkv)
				if ptr != "" && !strings.HasPrefix(ptr, "/") {
					l.fail(bkv.Key, p+"/"+ptr, "%q is not a JSON Pointer: write /amount or /creditor/pix_key", ptr)
					continue
				}
				var v any
				if err := yaml.NodeToValue(bkv.Value, &v); err != nil {
					l.decodeError(bkv.Value, p+"/"+ptr, err)
					continue
				}
				m.Body[ptr] = v
			}
		default:
			l.fail(kv.Key, p, "unknown field %q (match has %s)", key, strings.Join(matchFields, ", "))
		}
	}
	l.checkAgainstContract(m, methodNode, pathNode, opNode, path)
	return m
}

// checkAgainstContract catches typos: an operationId or path template the
// API does not have, or a method the path does not serve.
func (l *loader) checkAgainstContract(m Match, methodNode, pathNode, opNode ast.Node, path string) {
	doc, err := openapi.Load()
	if err != nil {
		return
	}
	if m.Operation != "" {
		op, ok := doc.Operation(m.Operation)
		if !ok {
			l.fail(opNode, path+"/operation", "no operation %q%s", m.Operation, suggest(m.Operation, operationIDs(doc)))
			return
		}
		if m.Method != "" && m.Method != op.Method {
			l.fail(methodNode, path+"/method", "%s is %s %s, not %s", op.ID, op.Method, op.Path, m.Method)
		}
	}
	if strings.Contains(m.Path, "{") {
		if !slices.Contains(doc.Paths(), m.Path) {
			l.fail(pathNode, path+"/path", "no path template %q in the API%s", m.Path, suggest(m.Path, doc.Paths()))
			return
		}
		if m.Method != "" && !slices.Contains(doc.MethodsFor(m.Path), m.Method) {
			l.fail(methodNode, path+"/method", "%s serves %s, not %s", m.Path, strings.Join(doc.MethodsFor(m.Path), ", "), m.Method)
		}
	}
}

func operationIDs(doc *openapi.Document) []string {
	var ids []string
	for _, op := range doc.Operations() {
		ids = append(ids, op.ID)
	}
	return ids
}

// suggest names the closest known word, for typos.
func suggest(got string, known []string) string {
	best, bestDist := "", min(4, len(got)/3+1) // only close misspellings
	for _, k := range known {
		if d := editDistance(strings.ToLower(got), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func (l *loader) stringMap(n ast.Node, path, what string) map[string]string {
	mn := l.mapping(n, path, what)
	if mn == nil {
		return nil
	}
	out := map[string]string{}
	for _, kv := range mn.Values {
		key := keyOf(kv)
		var v string
		if l.scalar(kv.Value, path+"/"+key, `a string ("*" for any value)`, &v) {
			out[key] = v
		}
	}
	return out
}

// injection reads a fault: the compact string form ("status=503;
// retry-after=2", "reset;phase=after_commit", "pass" in steps) or a mapping
// with type, phase and the fault's own parameters.
func (l *loader) injection(n ast.Node, path string) (*Injection, bool) {
	if sn, ok := n.(*ast.StringNode); ok {
		in, err := ParseCompact(sn.Value)
		if err != nil {
			l.fail(n, path, "%v", err)
			return nil, false
		}
		return in, in == nil
	}
	if in, ok := n.(*ast.IntegerNode); ok { // a bare status preset such as 503
		parsed, err := ParseCompact(in.String())
		if err != nil {
			l.fail(n, path, "%v", err)
		}
		return parsed, false
	}
	m := l.mapping(n, path, "a fault (a string such as \"status=503\" or a mapping with type)")
	if m == nil {
		return nil, false
	}
	var typ string
	var phase Phase
	var typeNode, phaseNode ast.Node
	params := &ast.MappingNode{BaseNode: m.BaseNode, Start: m.Start, End: m.End, IsFlowStyle: m.IsFlowStyle}
	for _, kv := range m.Values {
		switch keyOf(kv) {
		case "type":
			typeNode = kv.Value
			typ = l.str(kv.Value, path+"/type")
		case "phase":
			phaseNode = kv.Value
			phase = Phase(strings.ReplaceAll(l.str(kv.Value, path+"/phase"), "-", "_"))
		default:
			params.Values = append(params.Values, kv)
		}
	}
	if typeNode == nil {
		l.fail(m, path+"/type", "a fault needs a type (one of %s)", faultTypeNames())
		return nil, false
	}
	ft, ok := Lookup(typ)
	if !ok {
		l.fail(typeNode, path+"/type", "%v", unknownFaultType(typ))
		return nil, false
	}
	f := ft.New()
	if err := applyPreset(ft, f); err != nil {
		l.fail(typeNode, path+"/type", "%v", err)
		return nil, false
	}
	shown := map[string]any{}
	if len(params.Values) > 0 {
		// One parameter at a time: every bad one is reported, each where
		// it is, and errors without a position (a bad duration) still
		// point at their value and name their parameter.
		bad := false
		for _, kv := range params.Values {
			one := &ast.MappingNode{BaseNode: m.BaseNode, Start: m.Start, End: m.End, IsFlowStyle: m.IsFlowStyle,
				Values: []*ast.MappingValueNode{kv}}
			if err := yaml.NodeToValue(one, f, yaml.DisallowUnknownField()); err != nil {
				bad = true
				err = friendlier(err, f)
				var ye interface{ GetToken() *token.Token }
				if errors.As(err, &ye) && ye.GetToken() != nil {
					l.decodeError(kv.Value, path+"/"+keyOf(kv), err)
				} else {
					l.fail(kv.Value, path+"/"+keyOf(kv), "%s: %v", keyOf(kv), err)
				}
			}
		}
		if bad {
			return nil, false
		}
		_ = yaml.NodeToValue(params, &shown)
	}
	if phase == "" {
		phase = ft.DefaultPhase
	}
	in := &Injection{Type: typ, Phase: phase, Fault: f, Params: shown}
	if err := checkPhase(typ, f, phase); err != nil {
		l.fail(phaseNode, path+"/phase", "%v", err)
	}
	if v, ok := f.(Validator); ok {
		if err := v.Validate(); err != nil {
			l.fail(m, path, "%s: %v", typ, err)
		}
	}
	return in, false
}

// unknownFaultType is the error for a fault type that is not registered.
func unknownFaultType(typ string) error {
	return fmt.Errorf("unknown fault type %q (known: %s)%s", typ, faultTypeNames(), suggest(typ, registeredNames()))
}

// applyPreset fills a preset's parameters (503 is status with code 503).
func applyPreset(ft *FaultType, f Fault) error {
	if ft.Preset == nil {
		return nil
	}
	raw, err := yaml.Marshal(ft.Preset)
	if err != nil {
		return err
	}
	return yaml.Unmarshal(raw, f)
}

var unknownField = regexp.MustCompile(`unknown field "([^"]+)"`)

// faultParams lists a fault's parameter names (its yaml tags).
func faultParams(f Fault) []string {
	var out []string
	t := reflect.TypeOf(f)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	for i := range t.NumField() {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag != "" {
			out = append(out, tag)
		}
	}
	return out
}

var goField = regexp.MustCompile(`cannot unmarshal (\S+) into Go struct field \w+\.(\w+) of type (\S+)`)

// friendlier rewrites go-yaml's Go-flavoured type errors in the scenario's
// own words (the parameter's YAML name and the kind of value it wants).
func friendlier(err error, f Fault) error {
	var ye interface {
		GetToken() *token.Token
		GetMessage() string
	}
	if !errors.As(err, &ye) {
		return err
	}
	if u := unknownField.FindStringSubmatch(ye.GetMessage()); u != nil {
		params := faultParams(f)
		msg := fmt.Sprintf("unknown parameter %q%s", u[1], suggest(u[1], params))
		if len(params) > 0 {
			msg += " (parameters: " + strings.Join(params, ", ") + ")"
		}
		return &positioned{tok: ye.GetToken(), msg: msg}
	}
	m := goField.FindStringSubmatch(ye.GetMessage())
	if m == nil {
		return err
	}
	name := m[2]
	if sf, ok := reflect.TypeOf(f).Elem().FieldByName(m[2]); ok {
		if tag, _, _ := strings.Cut(sf.Tag.Get("yaml"), ","); tag != "" {
			name = tag
		}
	}
	want := map[string]string{"int": "a whole number", "float64": "a number", "bool": "true or false", "string": "a string"}[m[3]]
	if want == "" {
		want = m[3]
	}
	return &positioned{tok: ye.GetToken(), msg: fmt.Sprintf("%s: expected %s, got a %s", name, want, m[1])}
}

type positioned struct {
	tok *token.Token
	msg string
}

func (p *positioned) Error() string          { return p.msg }
func (p *positioned) GetToken() *token.Token { return p.tok }
func (p *positioned) GetMessage() string     { return p.msg }

// ParseCompact reads the one-line form of a fault used by the
// Sandbank-Fault header and by scenario strings: a type, optionally with
// its main parameter, then ;key=value parameters — "status=503;retry-after=2",
// "reset;phase=after_commit", "latency=200ms", "503". "pass" returns nil.
func ParseCompact(s string) (*Injection, error) {
	parts := strings.Split(s, ";")
	head := strings.TrimSpace(parts[0])
	typ, primary, hasPrimary := strings.Cut(head, "=")
	typ = strings.ToLower(strings.TrimSpace(typ))
	if typ == "pass" && !hasPrimary && len(parts) == 1 {
		return nil, nil
	}
	if typ == "" {
		return nil, errors.New("empty fault: write a type such as status=503, reset or latency=200ms")
	}
	ft, ok := Lookup(typ)
	if !ok {
		return nil, unknownFaultType(typ)
	}
	params := map[string]string{}
	if hasPrimary {
		if ft.Primary == "" {
			return nil, fmt.Errorf("%s takes no value: write %s, not %s", typ, typ, head)
		}
		params[ft.Primary] = strings.TrimSpace(primary)
	}
	var phase Phase
	for _, p := range parts[1:] {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		k, v, hasValue := strings.Cut(p, "=")
		k = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(k)), "-", "_")
		v = strings.TrimSpace(v)
		if !hasValue {
			v = "true"
		}
		if k == "phase" {
			if phase != "" {
				return nil, errors.New("phase is given twice")
			}
			phase = Phase(strings.ReplaceAll(v, "-", "_"))
			continue
		}
		if _, dup := params[k]; dup {
			return nil, fmt.Errorf("%s is given twice", k)
		}
		params[k] = v
	}
	f := ft.New()
	if err := applyPreset(ft, f); err != nil {
		return nil, err
	}
	shown := map[string]any{}
	if len(params) > 0 {
		keys := make([]string, 0, len(params))
		for k := range params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var doc strings.Builder
		for _, k := range keys {
			fmt.Fprintf(&doc, "%s: %s\n", k, yamlScalar(params[k]))
		}
		if err := yaml.UnmarshalWithOptions([]byte(doc.String()), f, yaml.DisallowUnknownField()); err != nil {
			return nil, fmt.Errorf("%s: %s", typ, messageOf(friendlier(err, f)))
		}
		_ = yaml.Unmarshal([]byte(doc.String()), &shown)
	}
	if phase == "" {
		phase = ft.DefaultPhase
	}
	if err := checkPhase(typ, f, phase); err != nil {
		return nil, err
	}
	if v, ok := f.(Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %v", typ, err)
		}
	}
	return &Injection{Type: typ, Phase: phase, Fault: f, Params: shown}, nil
}

func messageOf(err error) string {
	var ye interface{ GetMessage() string }
	if errors.As(err, &ye) {
		return ye.GetMessage()
	}
	return err.Error()
}

// yamlScalar quotes a compact-form value when YAML would read it as
// something else (a mapping, a comment).
func yamlScalar(v string) string {
	if v == "" || strings.ContainsAny(v, ":#{}[],&*!|>'\"%@`") {
		return strconv.Quote(v)
	}
	return v
}
