// Package clock is a tenant's virtual clock: a time that only moves when it
// is advanced (frozen mode) or that also follows the wall clock (realtime
// mode), and a queue of jobs — settlements, expiries, verifications — that
// run in due order as it moves. Deterministic: jobs due at the same instant
// run in the order they were scheduled. Not safe for concurrent use: the
// owning tenant serialises access to the job queue; Now (and Reset) are
// safe from any goroutine, so the request pipeline can stamp arrivals
// without waiting for a running handler.
package clock

import (
	"container/heap"
	"errors"
	"sync"
	"time"
)

// Mode says whether the clock follows the wall clock between advances.
type Mode string

const (
	Frozen   Mode = "frozen"
	Realtime Mode = "realtime"
)

// Job is work that falls due at an instant. Run receives the instant it
// was due at, which is also the clock's time while it runs.
type Job struct {
	At         time.Time
	Name       string // e.g. transfer.settle
	ResourceID string
	Run        func(now time.Time)
	seq        uint64
	index      int // position in the queue; -1 once run or canceled
}

// Ran records a job that ran during an advance.
type Ran struct {
	At         time.Time
	Name       string
	ResourceID string
}

// Clock is a virtual clock with a job queue.
type Clock struct {
	mode   Mode
	mu     sync.Mutex // guards now and wallAt only
	now    time.Time  // virtual time at wallAt (frozen: the time)
	wallAt time.Time  // wall time when now was last set (realtime only)
	wall   func() time.Time
	queue  jobQueue
	seq    uint64
}

// New returns a clock starting at start. wall is the wall clock used in
// realtime mode (time.Now when nil).
func New(start time.Time, mode Mode, wall func() time.Time) *Clock {
	if wall == nil {
		wall = time.Now
	}
	c := &Clock{mode: mode, now: start.UTC(), wall: wall}
	c.wallAt = wall()
	return c
}

// Mode reports the clock's mode.
func (c *Clock) Mode() Mode { return c.mode }

// Now is the current virtual time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mode == Realtime {
		return c.now.Add(c.wall().Sub(c.wallAt))
	}
	return c.now
}

// Reset empties the queue and sets the clock back to start.
func (c *Clock) Reset(start time.Time) {
	c.queue = nil
	c.set(start)
}

// Schedule queues a job. A job due in the past runs at the next advance.
func (c *Clock) Schedule(at time.Time, name, resourceID string, run func(now time.Time)) *Job {
	c.seq++
	j := &Job{At: at.UTC(), Name: name, ResourceID: resourceID, Run: run, seq: c.seq}
	heap.Push(&c.queue, j)
	return j
}

// Cancel removes a queued job; canceling a job that already ran is a no-op.
func (c *Clock) Cancel(j *Job) {
	if j != nil && j.index >= 0 && j.index < len(c.queue) && c.queue[j.index] == j {
		heap.Remove(&c.queue, j.index)
	}
}

// Pending is the number of queued jobs.
func (c *Clock) Pending() int { return len(c.queue) }

// NextAt is when the next job is due, if any.
func (c *Clock) NextAt() (time.Time, bool) {
	if len(c.queue) == 0 {
		return time.Time{}, false
	}
	return c.queue[0].At, true
}

// ErrBackwards is returned when asked to move the clock into the past.
var ErrBackwards = errors.New("clock: cannot move backwards")

// AdvanceTo moves the clock to target, running every job due at or before
// it in order, with the clock set to each job's due time while it runs.
// Jobs scheduled by jobs run too if they fall due before target.
func (c *Clock) AdvanceTo(target time.Time) ([]Ran, error) {
	now := c.Now()
	if target.Before(now) {
		return nil, ErrBackwards
	}
	var ran []Ran
	for len(c.queue) > 0 && !c.queue[0].At.After(target) {
		job := heap.Pop(&c.queue).(*Job)
		at := job.At
		if at.Before(now) {
			at = now // overdue jobs run now, never in the past
		}
		c.set(at)
		now = at
		job.Run(at)
		ran = append(ran, Ran{At: at, Name: job.Name, ResourceID: job.ResourceID})
	}
	c.set(target)
	return ran, nil
}

// CatchUp runs the jobs that fell due as the wall clock moved (realtime
// mode); in frozen mode it does nothing.
func (c *Clock) CatchUp() []Ran {
	if c.mode != Realtime {
		return nil
	}
	ran, _ := c.AdvanceTo(c.Now())
	return ran
}

func (c *Clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t.UTC()
	c.wallAt = c.wall()
}

type jobQueue []*Job

func (q jobQueue) Len() int { return len(q) }
func (q jobQueue) Less(i, j int) bool {
	if !q[i].At.Equal(q[j].At) {
		return q[i].At.Before(q[j].At)
	}
	return q[i].seq < q[j].seq
}
func (q jobQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index = i
	q[j].index = j
}
func (q *jobQueue) Push(x any) {
	j := x.(*Job)
	j.index = len(*q)
	*q = append(*q, j)
}
func (q *jobQueue) Pop() any {
	old := *q
	n := len(old)
	j := old[n-1]
	old[n-1] = nil
	j.index = -1
	*q = old[:n-1]
	return j
}
