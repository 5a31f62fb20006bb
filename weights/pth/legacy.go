package pth

import (
	"encoding/binary"
	"fmt"
	"math/big"
)

var legacyMagic, _ = new(big.Int).SetString("1950a86a20f9469cfc6c", 16)

// parseLegacy reads the legacy serialisation (torch < 1.6): five pickles
// in a row (magic number, protocol version, system info, the state_dict,
// the list of storage keys), then for each listed storage its element
// count (uint64) and bytes.
func parseLegacy(data []byte) (any, error) {
	u := &unpickler{data: data}
	if err := legacyHeader(u); err != nil {
		return nil, err
	}
	storages := map[string]*storage{}
	u.memo = nil
	u.persLoad = func(pid any) (any, error) {
		s, t, err := storageFromPID(pid, storages, true)
		if err != nil {
			return nil, err
		}
		if len(t) < 6 || t[5] == nil {
			return wholeStorage(s), nil
		}
		return newView(s, t[5]) // (view_key, offset, view_size)
	}
	obj, err := u.load()
	if err != nil {
		return nil, err
	}
	u.persLoad = nil
	u.memo = nil
	keysObj, err := u.load()
	if err != nil {
		return nil, err
	}
	keys, ok := keysObj.(*pyList)
	if !ok {
		return nil, fmt.Errorf("%w: storage key list is a %T", ErrPickle, keysObj)
	}
	for _, k := range keys.items {
		key, _ := k.(string)
		s, ok := storages[key]
		if !ok {
			return nil, fmt.Errorf("%w: storage %s listed but not used", ErrPickle, repr(k))
		}
		if err := readLegacyStorage(u, s); err != nil {
			return nil, err
		}
	}
	for key, s := range storages {
		if s.data == nil && s.numel > 0 {
			return nil, fmt.Errorf("%w: storage %s has no data", ErrPickle, key)
		}
	}
	return obj, nil
}

// legacyHeader reads the magic number, protocol version and system info
// pickles.
func legacyHeader(u *unpickler) error {
	magic, err := u.load()
	if err != nil {
		return err
	}
	if m, ok := magic.(*big.Int); !ok || m.Cmp(legacyMagic) != 0 {
		return fmt.Errorf("%w: a pickle without the torch.save magic number", ErrNotCheckpoint)
	}
	u.memo = nil
	proto, err := u.load()
	if err != nil {
		return err
	}
	if proto != int64(1001) {
		return fmt.Errorf("%w: legacy protocol %s (want 1001)", ErrNotCheckpoint, repr(proto))
	}
	u.memo = nil
	sysInfo, err := u.load()
	if err != nil {
		return err
	}
	if d, ok := sysInfo.(*pyDict); ok {
		for i, k := range d.keys {
			if k == "little_endian" && d.vals[i] != true {
				return fmt.Errorf("%w: big-endian checkpoint", ErrPickle)
			}
		}
	}
	return nil
}

// readLegacyStorage reads one storage's element count and bytes.
func readLegacyStorage(u *unpickler, s *storage) error {
	b, err := u.take(8)
	if err != nil {
		return fmt.Errorf("%w: storage %s: data truncated", ErrPickle, s.key)
	}
	if numel := binary.LittleEndian.Uint64(b); numel != uint64(s.numel) {
		return fmt.Errorf("%w: storage %s has %d elements, declared %d", ErrPickle, s.key, numel, s.numel)
	}
	// nbytes <= MaxCheckpointSize, so it fits an int.
	if s.data, err = u.take(int(s.nbytes())); err != nil {
		return fmt.Errorf("%w: storage %s: data truncated", ErrPickle, s.key)
	}
	return nil
}
