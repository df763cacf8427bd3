using OpenTelemetry.Proto.Trace.V1;

namespace Oteleport.Core.Tests;

public class ProtoSmokeTests
{
    [Test]
    public void Span_kind_enum_values_follow_the_OTLP_specification()
    {
        ((int)Span.Types.SpanKind.Client).Should().Be(3);
        Span.Descriptor.FindFieldByName("flags").FieldNumber.Should().Be(16);
    }
}
