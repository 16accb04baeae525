package simulator

func (s *Server) paymentHandlers() map[string]handlerFunc {
	return map[string]handlerFunc{}
}
