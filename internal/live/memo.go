package live

import "sync"

// memo loads each event's rows once however many local subscribers ask for
// them at the same time, and keeps the last few events' rows. Failed loads
// are not kept, so the next subscriber tries again.
type memo[T any] struct {
	mu    sync.Mutex
	max   int
	m     map[string]*memoEntry[T]
	order []string
}

type memoEntry[T any] struct {
	done chan struct{}
	v    T
	err  error
}

func newMemo[T any](max int) memo[T] {
	return memo[T]{max: max, m: make(map[string]*memoEntry[T])}
}

func (c *memo[T]) get(key string, load func() (T, error)) (T, error) {
	c.mu.Lock()
	if e, ok := c.m[key]; ok {
		c.mu.Unlock()
		<-e.done
		return e.v, e.err
	}
	e := &memoEntry[T]{done: make(chan struct{})}
	c.m[key] = e
	c.order = append(c.order, key)
	if len(c.order) > c.max {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
	c.mu.Unlock()

	e.v, e.err = load()
	close(e.done)
	if e.err != nil {
		c.mu.Lock()
		if c.m[key] == e {
			delete(c.m, key)
		}
		c.mu.Unlock()
	}
	return e.v, e.err
}
