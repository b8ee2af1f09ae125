package contactcard

// WatchCount is how many customers' cards the service watches.
func (s *Service) WatchCount() int { return s.watchCount() }
