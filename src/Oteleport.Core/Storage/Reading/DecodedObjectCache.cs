using Oteleport.Signals;

namespace Oteleport.Storage.Reading;

/// <summary>
/// The records of the objects decoded last, bounded by their total record count. A client walking a
/// range page by page reads each object once rather than once per page: a page that resumes inside an
/// object finds it here. Stored objects never change (every key is new), so an entry is never stale.
/// Entries are shared by every fetch that reads them and must not be changed: pages are deep copies.
/// </summary>
internal sealed class DecodedObjectCache(int capacityRecords)
{
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recent = new();
    private int _records;

    public int CapacityRecords { get; } = capacityRecords;

    public bool TryGet(string key, out List<SignalRecord> records)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                _recent.Remove(node);
                _recent.AddFirst(node);
                records = node.Value.Records;
                return true;
            }
        }
        records = null!;
        return false;
    }

    public void Add(string key, List<SignalRecord> records)
    {
        // An object that would take most of the cache is not worth evicting everything else for.
        if (records.Count > CapacityRecords / 2)
        {
            return;
        }
        lock (_entries)
        {
            if (_entries.ContainsKey(key))
            {
                return;
            }
            _entries[key] = _recent.AddFirst(new Entry(key, records));
            _records += records.Count;
            while (_records > CapacityRecords && _recent.Last is { } oldest)
            {
                _recent.RemoveLast();
                _entries.Remove(oldest.Value.Key);
                _records -= oldest.Value.Records.Count;
            }
        }
    }

    private sealed record Entry(string Key, List<SignalRecord> Records);
}
