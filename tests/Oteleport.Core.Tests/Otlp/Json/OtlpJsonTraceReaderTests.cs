using System.Text;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Otlp.Json;

namespace Oteleport.Core.Tests.Otlp.Json;

/// <summary>The fast reader of the trace messages gives what the generic reader gives, for every form it meets.</summary>
public class OtlpJsonTraceReaderTests
{
    private static TracesData Generic(string json)
    {
        OtlpJsonReader.t_genericOnly = true;
        try
        {
            return OtlpJson.Parse<TracesData>(Encoding.UTF8.GetBytes(json));
        }
        finally
        {
            OtlpJsonReader.t_genericOnly = false;
        }
    }

    private static void Same(string json) => OtlpJson.Parse<TracesData>(Encoding.UTF8.GetBytes(json)).Should().Be(Generic(json));

    [Test]
    public void Random_documents_read_the_same([Range(1, 40)] int seed)
    {
        var data = OtlpJsonTraceWriterTests.RandomTraces(new Random(seed));
        var json = Encoding.UTF8.GetString(OtlpJson.Serialize(data));
        OtlpJson.Parse<TracesData>(Encoding.UTF8.GetBytes(json)).Should().Be(data);
        Same(json);
    }

    [TestCase("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"trace_id":"5B8EFFF798038103D269B633813FC60C","name":"proto names"}]}]}]}""")]
    [TestCase("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"SPAN_KIND_SERVER","status":{"code":"STATUS_CODE_ERROR"}}]}]}]}""")]
    [TestCase("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":1700000000000000000,"endTimeUnixNano":"1700000000000000001","flags":"257"}]}]}]}""")]
    [TestCase("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"d","value":{"doubleValue":"NaN"}},{"key":"i","value":{"intValue":5}},{"key":"n","value":null}]}]}]}]}""")]
    [TestCase("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":null,"traceId":"5b8efff798038103d269b633813fc60c","spanId":""}]}]}]}""")]
    [TestCase("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"unknownField":{"a":[1,2]},"name":"skips unknown"}]}]}]}""")]
    [TestCase("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"n\u0061me":"escaped name","traceId":"5B8E\u0046FF798038103D269B633813FC60C"}]}]}]}""")]
    [TestCase("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"b","value":{"bytesValue":"AQID"}},{"key":"u","value":{"bytesValue":"AQI"}},{"key":"kv","value":{"kvlistValue":{"values":[{"key":"x","value":{"arrayValue":{"values":[{"boolValue":true},{}]}}}]}}}]}]}]}]}""")]
    [TestCase("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"a","name":"b","attributes":[{"key":"1"}],"attributes":[{"key":"2"}],"status":{"message":"x"},"status":{"code":2}}]}]}]}""")]
    [TestCase("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"events":[{"timeUnixNano":"5","name":"e","time_unix_nano":"6"}],"links":[{"traceId":"00","flags":1,"droppedAttributesCount":2}]}]}]}]}""")]
    public void Other_forms_read_the_same(string json) => Same(json);

    [TestCase("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"ok"},{"traceId":"XYZ"}]}]}]}""")]
    [TestCase("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"-1"}]}]}]}""")]
    [TestCase("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"k","value":{"intValue":"1.5"}}]}]}]}]}""")]
    public void Errors_are_the_generic_readers(string json)
    {
        var fast = Assert.Throws<OtlpJsonException>(() => OtlpJson.Parse<TracesData>(Encoding.UTF8.GetBytes(json)))!;
        var generic = Assert.Throws<OtlpJsonException>(() => Generic(json))!;
        fast.Message.Should().Be(generic.Message);
        fast.Path.Should().Be(generic.Path);
    }
}
