package simulator

func (s *Server) pixHandlers() map[string]handlerFunc {
	return map[string]handlerFunc{}
}
