package simulator

func (s *Server) payoutHandlers() map[string]handlerFunc {
	return map[string]handlerFunc{}
}
