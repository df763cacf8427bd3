using System.Text.Json;
using Oteleport.Hosting.Lambda.RuntimeApi;

namespace Oteleport.Hosting.Lambda.Tests;

public sealed class RuntimeErrorTests
{
    [Test]
    public void An_exception_becomes_the_documented_error_document()
    {
        Exception caught;
        try
        {
            try
            {
                throw new IOException("disk gone");
            }
            catch (IOException inner)
            {
                throw new InvalidOperationException("cannot store", inner);
            }
        }
        catch (InvalidOperationException ex)
        {
            caught = ex;
        }

        var error = RuntimeError.From(caught);
        var json = JsonSerializer.Serialize(error, RuntimeJsonContext.Default.RuntimeError);

        error.ErrorType.Should().Be("System.InvalidOperationException");
        error.ErrorMessage.Should().Be("cannot store ---> System.IO.IOException: disk gone");
        error.StackTrace.Should().Contain(line => line.Contains(nameof(An_exception_becomes_the_documented_error_document)));
        using var document = JsonDocument.Parse(json);
        document.RootElement.EnumerateObject().Select(p => p.Name).Should().Equal("errorMessage", "errorType", "stackTrace");
    }

    [Test]
    public void An_error_without_a_stack_trace_leaves_the_field_out()
    {
        var json = JsonSerializer.Serialize(new RuntimeError("bad event", RuntimeError.InvalidEventType), RuntimeJsonContext.Default.RuntimeError);

        json.Should().Be("{\"errorMessage\":\"bad event\",\"errorType\":\"Runtime.InvalidEvent\"}");
    }
}
