namespace Oteleport.Cli.Replay;

/// <summary>An export failed for good: a permanent error, or retries ran out.</summary>
internal sealed class OtlpExportException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>An export attempt failed in a way worth another try, after <see cref="RetryAfter"/> when the server said so.</summary>
internal sealed class RetryableExportException(string message, TimeSpan? retryAfter = null, Exception? inner = null) : Exception(message, inner)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>
/// Bounded retries with exponential backoff and jitter, as the OTLP exporter specification asks: waits
/// 1 s, 2 s, 4 s, ... (at most <see cref="MaxBackoff"/>) or what the server asked for (Retry-After,
/// gRPC RetryInfo; at most <see cref="MaxServerDelay"/>), for at most <see cref="MaxAttempts"/> attempts.
/// </summary>
internal sealed class RetryPolicy
{
    public int MaxAttempts { get; init; } = 6;
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan MaxServerDelay { get; init; } = TimeSpan.FromMinutes(1);
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Called before each wait with the attempt that failed, its reason and the delay.</summary>
    public Action<int, string, TimeSpan>? OnRetry { get; init; }

    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        var backoff = InitialBackoff;
        for (var n = 1; ; n++)
        {
            try
            {
                return await attempt(cancellationToken).ConfigureAwait(false);
            }
            catch (RetryableExportException ex) when (n < MaxAttempts)
            {
                var delay = ex.RetryAfter is { } asked
                    ? TimeSpan.FromTicks(Math.Clamp(asked.Ticks, 0, MaxServerDelay.Ticks))
                    : backoff * (0.8 + Random.Shared.NextDouble() * 0.4);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                OnRetry?.Invoke(n, ex.Message, delay);
                await Task.Delay(delay, Time, cancellationToken).ConfigureAwait(false);
            }
            catch (RetryableExportException ex)
            {
                throw new OtlpExportException($"{ex.Message} (gave up after {n} attempts)", ex);
            }
        }
    }
}
