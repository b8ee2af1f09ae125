package pubsub

// ActiveSubscriptions returns how many subscriptions still hold their channel open.
func (m *Memory) ActiveSubscriptions() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	n := 0
	for _, subs := range m.topics {
		n += len(subs)
	}
	return n
}

// ActiveSubscriptions returns how many subscriptions still hold their channel open.
func (r *Redis) ActiveSubscriptions() int { return int(r.active.Load()) }
