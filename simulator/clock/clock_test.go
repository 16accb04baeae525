package clock

import (
	"errors"
	"fmt"
	"reflect"
	"sync/atomic"
	"testing"
	"time"
)

var start = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// fakeWall is a wall clock the test moves by hand.
type fakeWall struct{ ns atomic.Int64 }

func newFakeWall(t time.Time) *fakeWall {
	w := &fakeWall{}
	w.ns.Store(t.UnixNano())
	return w
}

func (w *fakeWall) now() time.Time          { return time.Unix(0, w.ns.Load()).UTC() }
func (w *fakeWall) advance(d time.Duration) { w.ns.Add(int64(d)) }
func (w *fakeWall) set(t time.Time)         { w.ns.Store(t.UnixNano()) }
func frozen() *Clock                        { return New(start, Frozen, nil) }
func names(rs []Ran) []string               { return mapRan(rs, func(r Ran) string { return r.Name }) }
func mapRan(rs []Ran, f func(Ran) string) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = f(r)
	}
	return out
}

func TestFrozenClockStandsStill(t *testing.T) {
	w := newFakeWall(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	c := New(start.In(time.FixedZone("BRT", -3*3600)), Frozen, w.now)
	if c.Mode() != Frozen {
		t.Fatalf("mode %s", c.Mode())
	}
	if !c.Now().Equal(start) || c.Now().Location() != time.UTC {
		t.Fatalf("Now() = %v, want %v in UTC", c.Now(), start)
	}
	w.advance(time.Hour)
	if !c.Now().Equal(start) {
		t.Fatalf("a frozen clock followed the wall clock: %v", c.Now())
	}
	ran := false
	c.Schedule(start, "due.now", "r1", func(time.Time) { ran = true })
	if got := c.CatchUp(); got != nil || ran {
		t.Fatalf("CatchUp in frozen mode ran %v", got)
	}
	if c.Pending() != 1 {
		t.Fatalf("pending %d", c.Pending())
	}
}

func TestSameInstantJobsRunInSchedulingOrder(t *testing.T) {
	c := frozen()
	var order []string
	at := start.Add(time.Minute)
	// Scheduled out of time order, with five jobs sharing one instant.
	c.Schedule(at.Add(time.Second), "later", "", func(time.Time) { order = append(order, "later") })
	for i := range 5 {
		name := fmt.Sprintf("same%d", i)
		c.Schedule(at, name, "", func(time.Time) { order = append(order, name) })
	}
	c.Schedule(at.Add(-time.Second), "earlier", "", func(time.Time) { order = append(order, "earlier") })

	if got, ok := c.NextAt(); !ok || !got.Equal(at.Add(-time.Second)) {
		t.Fatalf("NextAt = %v %v", got, ok)
	}
	ran, err := c.AdvanceTo(at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"earlier", "same0", "same1", "same2", "same3", "same4", "later"}
	if !reflect.DeepEqual(order, want) {
		t.Fatalf("ran %v, want %v", order, want)
	}
	if !reflect.DeepEqual(names(ran), want) {
		t.Fatalf("reported %v, want %v", names(ran), want)
	}
	if c.Pending() != 0 {
		t.Fatalf("pending %d", c.Pending())
	}
	if _, ok := c.NextAt(); ok {
		t.Fatal("NextAt reports a job on an empty queue")
	}
	if !c.Now().Equal(at.Add(time.Hour)) {
		t.Fatalf("Now %v", c.Now())
	}
}

func TestJobsRunAtTheirDueTime(t *testing.T) {
	c := frozen()
	type seen struct{ arg, now time.Time }
	var got []seen
	for _, d := range []time.Duration{2 * time.Second, 30 * time.Minute} {
		c.Schedule(start.Add(d), "job", "res_"+d.String(), func(at time.Time) { got = append(got, seen{at, c.Now()}) })
	}
	ran, err := c.AdvanceTo(start.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d jobs ran", len(got))
	}
	for i, d := range []time.Duration{2 * time.Second, 30 * time.Minute} {
		if !got[i].arg.Equal(start.Add(d)) || !got[i].now.Equal(start.Add(d)) {
			t.Fatalf("job %d saw at=%v now=%v, want %v", i, got[i].arg, got[i].now, start.Add(d))
		}
		if !ran[i].At.Equal(start.Add(d)) || ran[i].ResourceID != "res_"+d.String() {
			t.Fatalf("ran[%d] = %+v", i, ran[i])
		}
	}
}

func TestAdvanceStopsAtTarget(t *testing.T) {
	c := frozen()
	c.Schedule(start.Add(10*time.Second), "at10", "", func(time.Time) {})
	c.Schedule(start.Add(11*time.Second), "at11", "", func(time.Time) {})
	ran, err := c.AdvanceTo(start.Add(10 * time.Second)) // due exactly at the target: runs
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(names(ran), []string{"at10"}) {
		t.Fatalf("ran %v", names(ran))
	}
	if c.Pending() != 1 {
		t.Fatalf("pending %d", c.Pending())
	}
	if at, ok := c.NextAt(); !ok || !at.Equal(start.Add(11*time.Second)) {
		t.Fatalf("NextAt %v", at)
	}
	// Advancing to now is allowed and runs nothing new.
	ran, err = c.AdvanceTo(c.Now())
	if err != nil || len(ran) != 0 {
		t.Fatalf("AdvanceTo(now) = %v, %v", ran, err)
	}
}

func TestJobsSchedulingJobs(t *testing.T) {
	c := frozen()
	var order []string
	target := start.Add(time.Minute)
	c.Schedule(start.Add(time.Second), "parent", "", func(now time.Time) {
		order = append(order, "parent")
		// Same instant as the parent: runs right after it, in this advance.
		c.Schedule(now, "child.now", "", func(time.Time) { order = append(order, "child.now") })
		// Before the target: runs in this advance, after the sibling below.
		c.Schedule(now.Add(10*time.Second), "child.soon", "", func(now time.Time) {
			order = append(order, "child.soon")
			c.Schedule(now.Add(10*time.Second), "grandchild", "", func(time.Time) { order = append(order, "grandchild") })
		})
		// After the target: stays queued.
		c.Schedule(target.Add(time.Second), "child.later", "", func(time.Time) { order = append(order, "child.later") })
	})
	c.Schedule(start.Add(5*time.Second), "sibling", "", func(time.Time) { order = append(order, "sibling") })

	ran, err := c.AdvanceTo(target)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"parent", "child.now", "sibling", "child.soon", "grandchild"}
	if !reflect.DeepEqual(order, want) || !reflect.DeepEqual(names(ran), want) {
		t.Fatalf("ran %v (reported %v), want %v", order, names(ran), want)
	}
	wantAt := []time.Duration{time.Second, time.Second, 5 * time.Second, 11 * time.Second, 21 * time.Second}
	for i, d := range wantAt {
		if !ran[i].At.Equal(start.Add(d)) {
			t.Fatalf("%s ran at %v, want %v", ran[i].Name, ran[i].At, start.Add(d))
		}
	}
	if c.Pending() != 1 {
		t.Fatalf("pending %d, want 1 (child.later)", c.Pending())
	}
	ran, _ = c.AdvanceTo(target.Add(time.Hour))
	if !reflect.DeepEqual(names(ran), []string{"child.later"}) {
		t.Fatalf("second advance ran %v", names(ran))
	}
}

func TestOverdueJobsRunNowNotInThePast(t *testing.T) {
	c := frozen()
	if _, err := c.AdvanceTo(start.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var sawAt time.Time
	c.Schedule(start, "overdue", "", func(at time.Time) { sawAt = at })
	ran, err := c.AdvanceTo(start.Add(2 * time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(ran) != 1 || !ran[0].At.Equal(start.Add(time.Hour)) || !sawAt.Equal(start.Add(time.Hour)) {
		t.Fatalf("overdue job ran at %v (reported %+v), want the advance's start %v", sawAt, ran, start.Add(time.Hour))
	}
}

func TestCancel(t *testing.T) {
	c := frozen()
	var order []string
	mk := func(name string, d time.Duration) *Job {
		return c.Schedule(start.Add(d), name, "", func(time.Time) { order = append(order, name) })
	}
	a := mk("a", time.Second)
	b := mk("b", 2*time.Second)
	cc := mk("c", 3*time.Second)
	d := mk("d", 4*time.Second)
	c.Cancel(b)
	c.Cancel(b) // twice: no-op
	c.Cancel(nil)
	if c.Pending() != 3 {
		t.Fatalf("pending %d after cancel", c.Pending())
	}
	c.Cancel(a) // the head of the queue
	if at, _ := c.NextAt(); !at.Equal(start.Add(3 * time.Second)) {
		t.Fatalf("NextAt after canceling the head: %v", at)
	}
	if _, err := c.AdvanceTo(start.Add(3 * time.Second)); err != nil {
		t.Fatal(err)
	}
	c.Cancel(cc) // already ran: no-op, and must not remove another job
	if c.Pending() != 1 {
		t.Fatalf("canceling a job that ran changed the queue: pending %d", c.Pending())
	}
	e := mk("e", 5*time.Second)
	c.Cancel(cc) // a stale job whose old index now holds another job
	if c.Pending() != 2 {
		t.Fatalf("pending %d, want d and e", c.Pending())
	}
	c.Cancel(d)
	if _, err := c.AdvanceTo(start.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(order, []string{"c", "e"}) {
		t.Fatalf("ran %v, want [c e]", order)
	}
	_ = e
}

func TestCancelFromInsideAJob(t *testing.T) {
	c := frozen()
	var order []string
	var victim *Job
	c.Schedule(start.Add(time.Second), "killer", "", func(time.Time) {
		order = append(order, "killer")
		c.Cancel(victim)
	})
	victim = c.Schedule(start.Add(time.Second), "victim", "", func(time.Time) { order = append(order, "victim") })
	c.Schedule(start.Add(2*time.Second), "survivor", "", func(time.Time) { order = append(order, "survivor") })
	if _, err := c.AdvanceTo(start.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(order, []string{"killer", "survivor"}) {
		t.Fatalf("ran %v", order)
	}
}

func TestAdvanceBackwardsFails(t *testing.T) {
	c := frozen()
	ran := false
	c.Schedule(start.Add(-time.Hour), "past", "", func(time.Time) { ran = true })
	got, err := c.AdvanceTo(start.Add(-time.Nanosecond))
	if !errors.Is(err, ErrBackwards) || got != nil {
		t.Fatalf("AdvanceTo(past) = %v, %v; want ErrBackwards", got, err)
	}
	if ran || c.Pending() != 1 || !c.Now().Equal(start) {
		t.Fatalf("a refused advance changed the clock: ran=%v pending=%d now=%v", ran, c.Pending(), c.Now())
	}
}

func TestRealtimeFollowsInjectedWallClock(t *testing.T) {
	w := newFakeWall(time.Date(2031, 6, 1, 8, 0, 0, 0, time.UTC))
	c := New(start, Realtime, w.now)
	if c.Mode() != Realtime {
		t.Fatalf("mode %s", c.Mode())
	}
	if !c.Now().Equal(start) {
		t.Fatalf("Now %v", c.Now())
	}
	var ran []string
	c.Schedule(start.Add(2*time.Second), "settle", "trf_1", func(at time.Time) { ran = append(ran, "settle@"+at.Format(time.TimeOnly)) })
	c.Schedule(start.Add(10*time.Second), "expire", "trf_2", func(at time.Time) { ran = append(ran, "expire@"+at.Format(time.TimeOnly)) })

	w.advance(1500 * time.Millisecond)
	if want := start.Add(1500 * time.Millisecond); !c.Now().Equal(want) {
		t.Fatalf("Now %v, want %v", c.Now(), want)
	}
	if got := c.CatchUp(); len(got) != 0 {
		t.Fatalf("CatchUp ran %v early", got)
	}
	w.advance(time.Second) // 2.5 s of wall time
	got := c.CatchUp()
	if !reflect.DeepEqual(names(got), []string{"settle"}) || !reflect.DeepEqual(ran, []string{"settle@12:00:02"}) {
		t.Fatalf("CatchUp ran %v (%v)", names(got), ran)
	}
	if want := start.Add(2500 * time.Millisecond); !c.Now().Equal(want) {
		t.Fatalf("after CatchUp Now %v, want %v", c.Now(), want)
	}

	// An explicit advance jumps ahead; the wall clock keeps adding to it.
	if _, err := c.AdvanceTo(start.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ran, []string{"settle@12:00:02", "expire@12:00:10"}) {
		t.Fatalf("ran %v", ran)
	}
	w.advance(3 * time.Second)
	if want := start.Add(time.Hour + 3*time.Second); !c.Now().Equal(want) {
		t.Fatalf("Now %v, want %v", c.Now(), want)
	}
	// Backwards is judged against the moving time.
	if _, err := c.AdvanceTo(start.Add(time.Hour + time.Second)); !errors.Is(err, ErrBackwards) {
		t.Fatalf("got %v, want ErrBackwards", err)
	}
	// A wall clock that jumps (NTP) moves virtual time with it.
	w.set(w.now().Add(24 * time.Hour))
	if want := start.Add(25*time.Hour + 3*time.Second); !c.Now().Equal(want) {
		t.Fatalf("Now %v, want %v", c.Now(), want)
	}
}

func TestReset(t *testing.T) {
	w := newFakeWall(time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC))
	c := New(start, Realtime, w.now)
	var ran []string
	old := c.Schedule(start.Add(time.Second), "old", "", func(time.Time) { ran = append(ran, "old") })
	if _, err := c.AdvanceTo(start.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	stale := c.Schedule(start.Add(2*time.Hour), "stale", "", func(time.Time) { ran = append(ran, "stale") })
	w.advance(time.Minute)
	c.Reset(start)
	if !c.Now().Equal(start) || c.Pending() != 0 {
		t.Fatalf("after Reset: now %v, %d pending", c.Now(), c.Pending())
	}
	if _, ok := c.NextAt(); ok {
		t.Fatal("NextAt after Reset")
	}
	c.Schedule(start.Add(time.Second), "fresh", "", func(time.Time) { ran = append(ran, "fresh") })
	// Jobs from before the reset are gone: canceling them touches nothing.
	c.Cancel(old)
	c.Cancel(stale)
	if c.Pending() != 1 {
		t.Fatalf("canceling pre-reset jobs changed the queue: %d pending", c.Pending())
	}
	w.advance(3 * time.Second) // realtime: the wall clock counts from the reset
	if got := c.CatchUp(); len(got) != 1 || got[0].Name != "fresh" {
		t.Fatalf("CatchUp ran %v", names(got))
	}
	if !reflect.DeepEqual(ran, []string{"old", "fresh"}) {
		t.Fatalf("ran %v", ran)
	}
}

// TestNowIsSafeWhileTheOwnerAdvances: the pipeline reads Now from request
// goroutines while a handler advances the clock (run with -race).
func TestNowIsSafeWhileTheOwnerAdvances(t *testing.T) {
	w := newFakeWall(start)
	c := New(start, Realtime, w.now)
	done := make(chan struct{})
	go func() {
		defer close(done)
		last := start
		for range 2000 {
			now := c.Now()
			if now.Before(last) {
				t.Errorf("Now went backwards: %v after %v", now, last)
				return
			}
			last = now
		}
	}()
	for i := range 200 {
		c.Schedule(start.Add(time.Duration(i)*time.Second), "job", "", func(time.Time) {})
		if _, err := c.AdvanceTo(start.Add(time.Duration(i+1) * time.Second)); err != nil {
			t.Error(err)
		}
	}
	<-done
}
