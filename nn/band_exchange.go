package nn

import "fmt"

// BandExchange connects one band of an image with the others during
// ForwardBand. Every band makes the same calls in the same order.
type BandExchange interface {
	// Halo sends up (nil in the first band) to the band above and down
	// (nil in the last) to the band below, and returns what they sent this
	// band: above (nil in the first band) and below (nil in the last).
	Halo(up, down []float32) (above, below []float32, err error)
	// Stats sends this band's statistics to every other band and returns
	// every band's, in band order, this band's included.
	Stats(mine []float64) ([][]float64, error)
}

// BandMessage is one message between two bands: halo rows or statistics,
// with the sender's call number (Seq, from 1), which the receiver checks.
type BandMessage struct {
	Seq   int
	Rows  []float32
	Stats []float64
}

// BandPeers carries messages between the bands of one image: Send must not
// block; Recv returns the next message from band from, in the order sent,
// or an error (a band that died, a cancelled translation).
type BandPeers interface {
	Send(to int, m BandMessage) error
	Recv(from int) (BandMessage, error)
}

// NewBandExchange is the exchange of band b over peers.
func NewBandExchange(b Band, peers BandPeers) BandExchange {
	return &peerExchange{b: b, peers: peers}
}

type peerExchange struct {
	b     Band
	peers BandPeers
	seq   int
}

func (e *peerExchange) recv(from int, halo bool) (BandMessage, error) {
	m, err := e.peers.Recv(from)
	if err != nil {
		return m, err
	}
	if m.Seq != e.seq || halo != (m.Stats == nil) {
		return m, fmt.Errorf("nn: band %d got message %d from band %d while at step %d: the bands are out of step", e.b.Index, m.Seq, from, e.seq)
	}
	return m, nil
}

func (e *peerExchange) Halo(up, down []float32) (above, below []float32, err error) {
	e.seq++
	i := e.b.Index
	if i > 0 {
		if err := e.peers.Send(i-1, BandMessage{Seq: e.seq, Rows: nonNil(up)}); err != nil {
			return nil, nil, err
		}
	}
	if i < e.b.Count-1 {
		if err := e.peers.Send(i+1, BandMessage{Seq: e.seq, Rows: nonNil(down)}); err != nil {
			return nil, nil, err
		}
	}
	if i > 0 {
		m, err := e.recv(i-1, true)
		if err != nil {
			return nil, nil, err
		}
		above = nonNil(m.Rows)
	}
	if i < e.b.Count-1 {
		m, err := e.recv(i+1, true)
		if err != nil {
			return nil, nil, err
		}
		below = nonNil(m.Rows)
	}
	return above, below, nil
}

func nonNil(s []float32) []float32 {
	if s == nil {
		return []float32{}
	}
	return s
}

func (e *peerExchange) Stats(mine []float64) ([][]float64, error) {
	e.seq++
	for j := range e.b.Count {
		if j != e.b.Index {
			if err := e.peers.Send(j, BandMessage{Seq: e.seq, Stats: mine}); err != nil {
				return nil, err
			}
		}
	}
	all := make([][]float64, e.b.Count)
	all[e.b.Index] = mine
	for j := range e.b.Count {
		if j != e.b.Index {
			m, err := e.recv(j, false)
			if err != nil {
				return nil, err
			}
			all[j] = m.Stats
		}
	}
	return all, nil
}
