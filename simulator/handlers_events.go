package simulator

func (s *Server) eventHandlers() map[string]handlerFunc {
	return map[string]handlerFunc{}
}
