package simulator

func (s *Server) boletoHandlers() map[string]handlerFunc {
	return map[string]handlerFunc{}
}
