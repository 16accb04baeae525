package scenarios

import "errors"

// Duplicate is the provider-side bug: the operation is applied count
// times (two resources, two postings), as a provider without idempotency
// would after an internal retry. The client sees the first response.
type Duplicate struct {
	Count int `yaml:"count"`
}

func init() {
	Register(&FaultType{
		Name: "duplicate", Primary: "count", DefaultPhase: AfterCommit,
		Summary: "apply the operation twice (or count times): two resources, two postings",
		New:     func() Fault { return &Duplicate{} },
	})
}

// Phases: duplication happens as the operation is applied.
func (*Duplicate) Phases() []Phase { return []Phase{AfterCommit} }

// Validate checks the count.
func (d *Duplicate) Validate() error {
	if d.Count < 0 || d.Count == 1 || d.Count > 10 {
		return errors.New("count: want 2 to 10")
	}
	return nil
}

// Copies is how many times the operation runs.
func (d *Duplicate) Copies() int {
	if d.Count == 0 {
		return 2
	}
	return d.Count
}

// Inject records the duplication; the simulator performs it.
func (d *Duplicate) Inject(x *Exchange) { x.Record("copies", d.Copies()) }
