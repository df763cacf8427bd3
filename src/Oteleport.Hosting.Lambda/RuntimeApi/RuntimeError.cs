using System.Text.Json.Serialization;

namespace Oteleport.Hosting.Lambda.RuntimeApi;

/// <summary>
/// The error document that the runtime API takes on <c>/invocation/{id}/error</c> and <c>/init/error</c>:
/// <c>{"errorMessage", "errorType", "stackTrace"}</c>.
/// </summary>
internal sealed record RuntimeError(
    [property: JsonPropertyName("errorMessage")] string ErrorMessage,
    [property: JsonPropertyName("errorType")] string ErrorType,
    [property: JsonPropertyName("stackTrace")] IReadOnlyList<string>? StackTrace = null)
{
    /// <summary>errorType of an event that is not a Function URL (payload 2.0) request.</summary>
    public const string InvalidEventType = "Runtime.InvalidEvent";

    /// <summary>Describes an exception: its full type name, message (with the inner exceptions'), and stack frames.</summary>
    public static RuntimeError From(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var message = exception.Message;
        var frames = new List<string>();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (!ReferenceEquals(current, exception))
            {
                message += $" ---> {current.GetType().FullName}: {current.Message}";
                frames.Add($"--- inner {current.GetType().FullName} ---");
            }
            if (current.StackTrace is { } trace)
            {
                frames.AddRange(trace.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }
        }
        return new RuntimeError(message, exception.GetType().FullName ?? exception.GetType().Name, frames.Count > 0 ? frames : null);
    }
}

[JsonSerializable(typeof(RuntimeError))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;
