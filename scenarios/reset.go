package scenarios

// Reset aborts the connection with a TCP RST: the client sees "connection
// reset by peer" and no response.
type Reset struct{}

// Close closes the connection cleanly without a response: the client sees
// an empty reply (EOF).
type Close struct{}

func init() {
	Register(&FaultType{
		Name: "reset", DefaultPhase: Before,
		Summary: "abort the connection with a TCP RST (no response)",
		New:     func() Fault { return &Reset{} },
	})
	Register(&FaultType{
		Name: "close", DefaultPhase: Before,
		Summary: "close the connection cleanly without a response (empty reply)",
		New:     func() Fault { return &Close{} },
	})
}

// Inject resets the connection.
func (Reset) Inject(x *Exchange) {
	conn := x.hijack(OutcomeConnectionReset)
	x.Take(OutcomeConnectionReset)
	resetConn(conn)
}

// Inject closes the connection.
func (Close) Inject(x *Exchange) {
	conn := x.hijack(OutcomeConnectionClosed)
	x.Take(OutcomeConnectionClosed)
	conn.Close()
}
