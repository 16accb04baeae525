package simulator

import "net/http"

func (s *Server) getHealth(c *call) *response {
	if s.draining.Load() {
		return c.json(http.StatusServiceUnavailable, map[string]string{"status": "draining", "version": s.cfg.Version})
	}
	return c.json(http.StatusOK, map[string]string{"status": "ok", "version": s.cfg.Version})
}

func (s *Server) getOpenAPIJSON(c *call) *response {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return &response{status: http.StatusOK, header: h, body: s.doc.JSON()}
}

func (s *Server) getOpenAPIYAML(c *call) *response {
	h := http.Header{}
	h.Set("Content-Type", "application/yaml")
	return &response{status: http.StatusOK, header: h, body: s.doc.YAML()}
}
