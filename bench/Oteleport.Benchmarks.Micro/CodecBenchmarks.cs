using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Otlp.Json;
using Oteleport.Signals;
using Oteleport.Storage;
using Oteleport.Storage.Flatten;
using Oteleport.Storage.Writing;

namespace Oteleport.Benchmarks.Micro;

/// <summary>OTLP JSON documents of 1,000 spans: encode and decode.</summary>
public class OtlpJsonBenchmarks
{
    private TracesData _data = null!;
    private byte[] _json = null!;

    [GlobalSetup]
    public void Setup()
    {
        _data = Data.Traces();
        _json = OtlpJson.Serialize(_data);
    }

    [Benchmark(Description = "OTLP JSON encode, 1,000 spans (hand-written trace writer)", Baseline = true)]
    public int Encode() => OtlpJson.Serialize(_data).Length;

    [Benchmark(Description = "OTLP JSON encode, 1,000 spans (generic descriptor-driven writer)")]
    public int EncodeGeneric()
    {
        OtlpJsonWriter.t_genericOnly = true;
        try
        {
            return OtlpJson.Serialize(_data).Length;
        }
        finally
        {
            OtlpJsonWriter.t_genericOnly = false;
        }
    }

    [Benchmark(Description = "OTLP JSON decode, 1,000 spans (fast trace reader)")]
    public int Decode() => OtlpJson.Parse<TracesData>(_json).ResourceSpans.Count;

    [Benchmark(Description = "OTLP JSON decode, 1,000 spans (generic descriptor-driven reader)")]
    public int DecodeGeneric()
    {
        OtlpJsonReader.t_genericOnly = true;
        try
        {
            return OtlpJson.Parse<TracesData>(_json).ResourceSpans.Count;
        }
        finally
        {
            OtlpJsonReader.t_genericOnly = false;
        }
    }
}

/// <summary>Flatten JSON lines of 1,000 spans: encode and decode.</summary>
public class FlattenBenchmarks
{
    private List<SignalRecord> _records = null!;
    private byte[] _lines = null!;

    [GlobalSetup]
    public void Setup()
    {
        _records = Data.Records(Data.Traces());
        _lines = FlattenWriter.Encode(SignalType.Traces, _records);
    }

    [Benchmark(Description = "flatten encode, 1,000 spans")]
    public int Encode() => FlattenWriter.Encode(SignalType.Traces, _records).Length;

    [Benchmark(Description = "flatten decode, 1,000 spans")]
    public int Decode()
    {
        var records = new List<SignalRecord>(_records.Count);
        FlattenReader.Collect(SignalType.Traces, _lines, records);
        return records.Count;
    }
}

/// <summary>gzip of one 1,000-span OTLP JSON document at each level, and back.</summary>
public class GzipBenchmarks
{
    private byte[] _json = null!;
    private byte[] _gzip = null!;

    [Params(CompressionLevel.Fastest, CompressionLevel.Optimal, CompressionLevel.SmallestSize)]
    public CompressionLevel Level { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _json = OtlpJson.Serialize(Data.Traces());
        _gzip = ObjectFormat.Compress(_json, Level);
        Console.WriteLine($"// {Level}: {_json.Length:N0} bytes of JSON -> {_gzip.Length:N0} bytes gzip ({100.0 * _gzip.Length / _json.Length:N1} %)");
    }

    [Benchmark(Description = "gzip compress")]
    public int Compress() => ObjectFormat.Compress(_json, Level).Length;

    [Benchmark(Description = "gzip decompress")]
    public int Decompress()
    {
        using var gz = new GZipStream(new MemoryStream(_gzip), CompressionMode.Decompress);
        var buffer = new byte[81920];
        int read, total = 0;
        while ((read = gz.Read(buffer)) > 0)
        {
            total += read;
        }
        return total;
    }
}

/// <summary>The whole write of one batch (1,000 spans): records to a gzip document, and one object read back.</summary>
public class ObjectBenchmarks
{
    private List<SignalRecord> _records = null!;
    private byte[] _object = null!;

    [GlobalSetup]
    public void Setup()
    {
        _records = Data.Records(Data.Traces());
        _object = ObjectFormat.EncodeDocument(TraceShape.Instance.Build(_records), gzip: true).ToArray();
        _fragments = new List<EncodedFragment>();
        for (var i = 0; i < _records.Count; i += 100)
        {
            var part = _records.GetRange(i, 100);
            _fragments.Add(ObjectFormat.EncodeFragment(SignalType.Traces, TraceShape.Instance.Build(part), part, flatten: false, gzip: true, CompressionLevel.Fastest));
        }
    }

    private List<EncodedFragment> _fragments = null!;

    [Benchmark(Description = "batch -> gzip OTLP JSON object, 1,000 spans (one encoder, byte[] copies)", Baseline = true)]
    public int Write() => ObjectFormat.EncodeDocument(TraceShape.Instance.Build(_records), gzip: true).Length;

    [Benchmark(Description = "10 appends of 100 spans -> fragments -> one object (pooled)")]
    public int WriteFragments()
    {
        var fragments = new List<EncodedFragment>(10);
        for (var i = 0; i < _records.Count; i += 100)
        {
            var part = _records.GetRange(i, Math.Min(100, _records.Count - i));
            fragments.Add(ObjectFormat.EncodeFragment(SignalType.Traces, TraceShape.Instance.Build(part), part, flatten: false, gzip: true, CompressionLevel.Fastest));
        }
        using var content = ObjectFormat.Assemble(SignalType.Traces, fragments, flatten: false, gzip: true, CompressionLevel.Fastest);
        foreach (var fragment in fragments)
        {
            fragment.Dispose();
        }
        return content.WrittenCount;
    }

    [Benchmark(Description = "  the same: the batch's own share (Assemble only)")]
    public int AssembleOnly()
    {
        using var content = ObjectFormat.Assemble(SignalType.Traces, _fragments, flatten: false, gzip: true, CompressionLevel.Fastest);
        return content.WrittenCount;
    }

    [Benchmark(Description = "gzip OTLP JSON object -> records, 1,000 spans")]
    public async Task<int> Read()
    {
        using var content = await ObjectFormat.ReadContentAsync(new MemoryStream(_object), _object.Length, CancellationToken.None);
        var records = new List<SignalRecord>(1000);
        TraceShape.Instance.Collect(OtlpJson.Parse<TracesData>(content.WrittenSpan), records);
        return records.Count;
    }
}
