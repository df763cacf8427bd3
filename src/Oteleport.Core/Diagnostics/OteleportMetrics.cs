using System.Diagnostics.Metrics;
using Oteleport.Signals;

namespace Oteleport;

/// <summary>Oteleport's own instruments (meter <c>Oteleport</c>), for dashboards of the receiver itself.</summary>
internal sealed class OteleportMetrics : IDisposable
{
    public const string MeterName = "Oteleport";

    private readonly Meter _meter;
    private readonly Counter<long> _recordsStored;
    private readonly Counter<long> _objectsWritten;
    private readonly Counter<long> _bytesWritten;
    private readonly Counter<long> _writeFailures;
    private readonly Counter<long> _unreadableObjects;
    private readonly Histogram<double> _writeDuration;

    public OteleportMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _recordsStored = _meter.CreateCounter<long>("oteleport.records.stored", "{record}", "Records (spans, data points, log records) stored.");
        _objectsWritten = _meter.CreateCounter<long>("oteleport.objects.written", "{object}", "Objects written to the store.");
        _bytesWritten = _meter.CreateCounter<long>("oteleport.objects.written.size", "By", "Bytes of the objects written, as stored.");
        _writeFailures = _meter.CreateCounter<long>("oteleport.objects.write_failures", "{object}", "Object writes the store refused or could not take.");
        _writeDuration = _meter.CreateHistogram<double>("oteleport.objects.write.duration", "s", "Time to store one object (the PUT, or the file's write, fsync and rename): every Export of its batch waits for it.");
        _unreadableObjects = _meter.CreateCounter<long>("oteleport.objects.unreadable", "{object}", "Stored objects skipped by fetch because they could not be decoded.");
    }

    private static KeyValuePair<string, object?> Tag(SignalType signal) => new("signal", SignalLayout.FolderName(signal));

    public void ObjectWritten(SignalType signal, int records, int bytes)
    {
        _recordsStored.Add(records, Tag(signal));
        _objectsWritten.Add(1, Tag(signal));
        _bytesWritten.Add(bytes, Tag(signal));
    }

    public void WriteDuration(SignalType signal, TimeSpan duration) => _writeDuration.Record(duration.TotalSeconds, Tag(signal));

    public void WriteFailed(SignalType signal) => _writeFailures.Add(1, Tag(signal));

    public void UnreadableObject(SignalType signal) => _unreadableObjects.Add(1, Tag(signal));

    public void Dispose() => _meter.Dispose();
}
