using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Oteleport.Server.Tests.Infrastructure;

/// <summary>
/// Keeps every log entry of every category at every level as text: the formatted message, each structured
/// field, every scope and the exception with its stack trace (what any log sink could be sent).
/// </summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<string> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() { }

    /// <summary>Everything captured, one entry a line.</summary>
    public string AllText() => string.Join('\n', Entries);

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new StringBuilder()
                .Append(logLevel).Append(' ').Append(category).Append('[').Append(eventId.Id).Append(' ').Append(eventId.Name).Append("] ")
                .Append(formatter(state, exception));
            AppendFields(text, state);
            provider._scopes.ForEachScope((scope, builder) =>
            {
                builder.Append(" scope: ").Append(scope);
                AppendFields(builder, scope);
            }, text);
            if (exception is not null)
            {
                text.Append(" exception: ").Append(exception);
            }
            provider.Entries.Enqueue(text.ToString());
        }

        private static void AppendFields(StringBuilder text, object? state)
        {
            if (state is IEnumerable<KeyValuePair<string, object?>> fields)
            {
                foreach (var (key, value) in fields)
                {
                    text.Append(' ').Append(key).Append('=').Append(value is System.Collections.IEnumerable list and not string
                        ? string.Join(",", list.Cast<object?>())
                        : value);
                }
            }
        }
    }
}
