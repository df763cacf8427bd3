using System.CommandLine;
using Google.Protobuf;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Cli.Replay;
using Oteleport.Cli.Running;
using Oteleport.Cli.Settings;
using Oteleport.Cli.Signals;
using Oteleport.Client;
using Oteleport.Query;

namespace Oteleport.Cli;

/// <summary><c>oteleport traces|metrics|logs</c> and <c>oteleport trace HEX</c>: their options, and how they become <see cref="FetchSettings"/>.</summary>
internal sealed class FetchCommand
{
    private const string DefaultEndpoint = "http://localhost:8080";

    private readonly Option<string> _since = new("--since") { Description = "Start this long ago: 30s, 5m, 1h30m, 2d (default 5m)", HelpName = "duration" };
    private readonly Option<string> _until = new("--until") { Description = "End this long ago (default: now)", HelpName = "duration" };
    private readonly Option<string> _startTime = new("--start-time") { Description = "Start at this RFC 3339 time, e.g. 2024-10-23T09:00:00Z (inclusive)", HelpName = "time" };
    private readonly Option<string> _endTime = new("--end-time") { Description = "End at this RFC 3339 time (inclusive)", HelpName = "time" };
    private readonly Option<long> _limit = new("--limit") { Description = "Records per page (default: the server's, 1000)", HelpName = "n" };
    private readonly Option<bool> _follow = new("--follow", "-f") { Description = "Keep polling for new records until Ctrl-C; each record once" };
    private readonly Option<string> _followLag = new("--follow-lag") { Description = "How far behind now follow reads, for records still arriving (default 5s)", HelpName = "duration" };
    private readonly Option<string> _pollInterval = new("--poll-interval") { Description = "How often follow polls (default 2s)", HelpName = "duration" };
    private readonly Option<string> _endpoint = new("--endpoint") { Description = $"The Oteleport API (default {DefaultEndpoint}; OTELEPORT_ENDPOINT)", HelpName = "url" };
    private readonly Option<string> _accessKey = new("--access-key") { Description = "The access key (OTELEPORT_ACCESS_KEY)", HelpName = "key" };
    private readonly Option<string> _accessKeyHeader = new("--access-key-header") { Description = "The access key header (default Oteleport-Access-Key; OTELEPORT_ACCESS_KEY_HEADER)", HelpName = "name" };
    private readonly Option<string> _profile = new("--profile") { Description = "A JSON file with these settings (OTELEPORT_PROFILE)", HelpName = "file.json" };
    private readonly Option<string> _output = new("--output", "-o") { Description = "json: one OTLP JSON document per page; jsonl: one record per line (default json; none when replaying unless given)", HelpName = "json|jsonl" };
    private readonly Option<string> _otlpEndpoint = new("--otlp-endpoint") { Description = "Replay to this OTLP endpoint (base URL; OTEL_EXPORTER_OTLP_ENDPOINT and the other OTEL_EXPORTER_OTLP_* variables also apply)", HelpName = "url" };
    private readonly Option<string> _otlpProtocol = new("--otlp-protocol") { Description = "grpc, http/protobuf or http/json (default http/protobuf; OTEL_EXPORTER_OTLP_PROTOCOL)", HelpName = "protocol" };
    private readonly Option<string[]> _otlpHeader = new("--otlp-header") { Description = "A header for the replay, name=value (repeatable; OTEL_EXPORTER_OTLP_HEADERS)", HelpName = "name=value" };
    private readonly Option<bool> _replay = new("--replay") { Description = "Replay to the OTLP endpoint of the environment, or the default (localhost:4318 or :4317)" };
    private readonly Option<string> _timeShift = new("--time-shift") { Description = "Move all timestamps so that the earliest record lands at this RFC 3339 time, or now (the default)", HelpName = "now|time", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<bool> _progress = new("--progress") { Description = "Show progress on stderr even when it is not a terminal" };

    // Filters: every one given must hold for a record. Each applies to the signals in Filter.Signals.
    private readonly Filter _service = new(new Option<string>("--service") { Description = "Only records of this service (resource attribute service.name)", HelpName = "name" }, "traces", "metrics", "logs");
    private readonly Filter _resourceAttr = new(new Option<string[]>("--resource-attr") { Description = "Only records whose resource has this attribute, key=value (repeatable; all must hold)", HelpName = "key=value", AllowMultipleArgumentsPerToken = false }, "traces", "metrics", "logs");
    private readonly Filter _attr = new(new Option<string[]>("--attr") { Description = "Only records (spans, data points, log records) with this attribute, key=value (repeatable; all must hold; 500 matches the number 500)", HelpName = "key=value", AllowMultipleArgumentsPerToken = false }, "traces", "metrics", "logs");
    private readonly Filter _traceId = new(new Option<string>("--trace-id") { Description = "Only spans or log records of this trace (32 hex digits)", HelpName = "hex" }, "traces", "logs");
    private readonly Filter _spanName = new(new Option<string>("--span-name") { Description = "Only spans with exactly this name", HelpName = "name" }, "traces");
    private readonly Filter _kind = new(new Option<string>("--kind") { Description = "Only spans of this kind: server, client, internal, producer or consumer", HelpName = "kind" }, "traces");
    private readonly Filter _errors = new(new Option<bool>("--errors") { Description = "Only spans with status ERROR" }, "traces");
    private readonly Filter _minSeverity = new(new Option<string>("--min-severity") { Description = "Only log records at or above: trace, debug, info, warn, error, fatal, or a number 1-24", HelpName = "level" }, "logs");
    private readonly Filter _bodyContains = new(new Option<string>("--body-contains") { Description = "Only log records whose body contains this text (case-sensitive)", HelpName = "text" }, "logs");
    private readonly Filter _metric = new(new Option<string>("--metric") { Description = "Only data points of the metric with exactly this name", HelpName = "name" }, "metrics");

    private readonly Argument<string>? _lookupTraceId;

    /// <summary>A command of one signal (<paramref name="lookup"/> false) or the lookup of one trace.</summary>
    private FetchCommand(string name, string description, string signal, bool lookup)
    {
        Command = new Command(name, description);
        _output.AcceptOnlyFromAmong("json", "jsonl");
        _otlpProtocol.AcceptOnlyFromAmong("grpc", "http/protobuf", "http/json");
        _otlpHeader.AllowMultipleArgumentsPerToken = false;
        if (lookup)
        {
            _lookupTraceId = new Argument<string>("trace-id") { Description = "The trace id: 32 hex digits" };
            Command.Arguments.Add(_lookupTraceId);
            _since.Description = "Look back this long: 30s, 5m, 1h30m, 2d (default: the server's window, 24h)";
        }
        var options = new List<Option> { _since, _until, _startTime, _endTime };
        if (!lookup)
        {
            options.AddRange([_limit, _follow, _followLag, _pollInterval]);
        }
        options.AddRange([_endpoint, _accessKey, _accessKeyHeader, _profile, _output, _otlpEndpoint, _otlpProtocol, _otlpHeader, _replay, _timeShift, _progress]);
        if (!lookup)
        {
            foreach (var filter in Filters)
            {
                // Present on every signal's command, so that a wrong signal gets a clear word rather than "unrecognized";
                // listed in the help of the signals it applies to.
                filter.Option.Hidden = !filter.Signals.Contains(signal);
                options.Add(filter.Option);
            }
        }
        foreach (var option in options)
        {
            Command.Options.Add(option);
        }
    }

    private IEnumerable<Filter> Filters => [_service, _resourceAttr, _attr, _traceId, _spanName, _kind, _errors, _minSeverity, _bodyContains, _metric];

    public Command Command { get; }

    public static Command Create<TData>(CliSignal<TData> signal, string description, CliHost host) where TData : IMessage<TData>, new()
    {
        var command = new FetchCommand(signal.Name, description, signal.Name, lookup: false);
        command.Command.SetAction((parse, ct) => command.RunAsync(signal, parse, host, ct));
        return command.Command;
    }

    /// <summary><c>oteleport trace HEX</c>: every span of one trace, printed or replayed as a traces run would be.</summary>
    public static Command CreateTraceLookup(CliHost host)
    {
        var command = new FetchCommand("trace", "Every span of one trace (GET /api/traces/{traceId}), as one OTLP JSON document", "traces", lookup: true);
        command.Command.SetAction((parse, ct) => command.RunAsync(TraceLookupSignal.Instance, parse, host, ct));
        return command.Command;
    }

    private async Task<int> RunAsync<TData>(CliSignal<TData> signal, ParseResult parse, CliHost host, CancellationToken cancellationToken)
        where TData : IMessage<TData>, new()
    {
        var settings = Resolve(signal.Name, parse, host, out var replayFromEnvironment);
        if (replayFromEnvironment is not null)
        {
            // Replay switched on by the environment alone deserves a word, or data would vanish silently.
            await host.Error.WriteLineAsync($"oteleport: replaying {signal.Name} to {settings.Replay!.EndpointText} ({settings.Replay.ProtocolName}), from {replayFromEnvironment}").ConfigureAwait(false);
        }
        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) }) { Timeout = TimeSpan.FromMinutes(2) };
        var client = new OteleportClient(http, new OteleportClientOptions
        {
            Endpoint = settings.Endpoint,
            AccessKey = settings.AccessKey,
            AccessKeyHeader = settings.AccessKeyHeader,
        });
        // Unasked, progress shows on a terminal that the records do not go to as well.
        var showProgress = settings.Progress || (host.ErrorIsTerminal && (!host.OutIsTerminal || settings.Output is null));
        var progress = new ProgressReporter(host, signal.Name, signal.RecordNoun, showProgress, settings.Replay is not null);
        var retry = new RetryPolicy
        {
            // Retries are progress, not failures: shown where progress is, so that a failed run still ends in one line.
            OnRetry = !showProgress ? null : (attempt, reason, delay) =>
            {
                progress.BreakLine();
                host.Error.WriteLine($"oteleport: export to {settings.Replay!.EndpointText} failed ({FetchRun<TData>.OneLine(reason)}); retry {attempt} in {delay.TotalSeconds:0.#} s");
            },
        };
        using var exporter = settings.Replay is { } replay ? OtlpExporter.Create(signal.Type, replay, retry) : null;
        var run = new FetchRun<TData>(signal, settings, host, client, exporter, progress);
        return await run.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The settings: the command line first, then the environment, then the profile, then the defaults.</summary>
    internal FetchSettings Resolve(string signal, ParseResult parse, CliHost host, out string? replayFromEnvironment)
    {
        var profilePath = parse.GetValue(_profile) ?? host.Env("OTELEPORT_PROFILE");
        var profile = profilePath is null ? Profile.Empty : Profile.Load(profilePath);
        bool Given(Option option) => parse.GetResult(option) is { Implicit: false };

        var endpointText = parse.GetValue(_endpoint) ?? host.Env("OTELEPORT_ENDPOINT") ?? profile.Text("endpoint") ?? DefaultEndpoint;
        if (!Uri.TryCreate(endpointText.Trim(), UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"--endpoint: '{endpointText}' is not an http or https URL");
        }

        var now = TimeSyntax.ToUnixNano(host.Time.GetUtcNow());
        if (Given(_since) && Given(_startTime))
        {
            throw new UsageException("--since and --start-time both set the start: give one");
        }
        if (Given(_until) && Given(_endTime))
        {
            throw new UsageException("--until and --end-time both set the end: give one");
        }
        var lookup = _lookupTraceId is not null;
        var follow = !lookup && parse.GetValue(_follow);
        if (follow && (Given(_until) || Given(_endTime)))
        {
            throw new UsageException("--follow reads up to now and on: it takes no --until or --end-time");
        }
        ulong start;
        if (parse.GetValue(_startTime) is { } startTime)
        {
            start = TimeSyntax.ParseRfc3339("--start-time", startTime);
        }
        else if ((parse.GetValue(_since) ?? (lookup ? null : "5m")) is { } since)
        {
            start = Ago("--since", since, now);
        }
        else
        {
            start = 0; // a trace lookup: the server's window before the end
        }
        ulong end = 0;
        if (parse.GetValue(_endTime) is { } endTime)
        {
            end = TimeSyntax.ParseRfc3339("--end-time", endTime);
        }
        else if (parse.GetValue(_until) is { } until)
        {
            end = Ago("--until", until, now);
        }
        if (end != 0 && end < start)
        {
            throw new UsageException($"the end ({TimeSyntax.FormatUnixNano(end)}) is before the start ({TimeSyntax.FormatUnixNano(start)})");
        }

        var limit = lookup ? 0 : parse.GetValue(_limit);
        if (!lookup && Given(_limit) && limit <= 0)
        {
            throw new UsageException("--limit must be a positive number of records");
        }
        if (!lookup && !Given(_limit) && profile.Text("limit") is { } profileLimit)
        {
            limit = long.TryParse(profileLimit, out var l) && l > 0 ? l : throw new UsageException($"--profile: limit '{profileLimit}' is not a positive number");
        }

        var followLag = Positive("--follow-lag", (lookup ? null : parse.GetValue(_followLag)) ?? profile.Text("followLag") ?? "5s", allowZero: true);
        var pollInterval = Positive("--poll-interval", (lookup ? null : parse.GetValue(_pollInterval)) ?? profile.Text("pollInterval") ?? "2s", allowZero: false);
        var filter = lookup
            ? new FetchFilter { TraceId = FilterSyntax.TraceId(null, parse.GetValue(_lookupTraceId!) ?? "") }
            : ResolveFilter(signal, parse);

        ulong shiftTarget = 0;
        var timeShift = Given(_timeShift);
        if (timeShift && parse.GetValue(_timeShift) is { } target && !target.Equals("now", StringComparison.OrdinalIgnoreCase))
        {
            shiftTarget = TimeSyntax.ParseRfc3339("--time-shift", target);
        }

        replayFromEnvironment = null;
        OtlpExportSettings? replay = null;
        var replayVariable = OtlpExportSettings.EndpointVariableSet(host, signal);
        if (Given(_otlpEndpoint) || parse.GetValue(_replay) || replayVariable is not null || profile.Text("otlpEndpoint") is not null)
        {
            replay = OtlpExportSettings.Resolve(host, profile, signal, parse.GetValue(_otlpEndpoint), parse.GetValue(_otlpProtocol), parse.GetValue(_otlpHeader) ?? []);
            if (!Given(_otlpEndpoint) && !parse.GetValue(_replay))
            {
                replayFromEnvironment = replayVariable ?? $"the profile {profile.Path}";
            }
        }
        else if (Given(_otlpProtocol) || Given(_otlpHeader))
        {
            throw new UsageException("--otlp-protocol and --otlp-header are for a replay: add --otlp-endpoint or --replay");
        }

        OutputMode? output = parse.GetValue(_output) switch
        {
            "jsonl" => OutputMode.JsonLines,
            "json" => OutputMode.Json,
            _ => replay is null ? OutputMode.Json : null,
        };

        return new FetchSettings
        {
            Endpoint = endpoint,
            AccessKey = parse.GetValue(_accessKey) ?? host.Env("OTELEPORT_ACCESS_KEY") ?? profile.Text("accessKey"),
            AccessKeyHeader = parse.GetValue(_accessKeyHeader) ?? host.Env("OTELEPORT_ACCESS_KEY_HEADER") ?? profile.Text("accessKeyHeader") ?? OteleportClientOptions.DefaultAccessKeyHeader,
            StartTimeUnixNano = start,
            EndTimeUnixNano = end,
            Limit = limit,
            Follow = follow,
            FollowLag = followLag,
            PollInterval = pollInterval,
            Output = output,
            TimeShift = timeShift,
            TimeShiftTarget = shiftTarget,
            Progress = parse.GetValue(_progress),
            Replay = replay,
            Filter = filter,
            LookupTraceId = lookup ? Convert.ToHexString(filter.TraceId!.Span) : null,
        };
    }

    /// <summary>The filter options as a <see cref="FetchFilter"/>; one given for a signal it does not apply to is a usage error.</summary>
    private FetchFilter ResolveFilter(string signal, ParseResult parse)
    {
        foreach (var filter in Filters)
        {
            if (parse.GetResult(filter.Option) is { Implicit: false } && !filter.Signals.Contains(signal))
            {
                throw new UsageException($"{filter.Option.Name} applies to {string.Join(" and ", filter.Signals)} only");
            }
        }
        string? Text(Filter filter) => parse.GetValue((Option<string>)filter.Option) is { } value ? FilterSyntax.NonEmpty(filter.Option.Name, value) : null;
        List<KeyValue> Attributes(Filter filter) =>
            (parse.GetValue((Option<string[]>)filter.Option) ?? []).Select(text => FilterSyntax.Attribute(filter.Option.Name, text)).ToList();

        return new FetchFilter
        {
            ServiceName = Text(_service),
            ResourceAttributes = Attributes(_resourceAttr),
            Attributes = Attributes(_attr),
            TraceId = Text(_traceId) is { } id ? FilterSyntax.TraceId(_traceId.Option.Name, id) : null,
            SpanName = Text(_spanName),
            SpanKind = Text(_kind) is { } kind ? FilterSyntax.Kind(_kind.Option.Name, kind) : null,
            StatusCode = parse.GetValue((Option<bool>)_errors.Option) ? Status.Types.StatusCode.Error : null,
            MinSeverity = Text(_minSeverity) is { } severity ? FilterSyntax.Severity(_minSeverity.Option.Name, severity) : SeverityNumber.Unspecified,
            BodyContains = Text(_bodyContains),
            MetricName = Text(_metric),
        };
    }

    /// <summary>A filter option and the signals it applies to.</summary>
    private sealed record Filter(Option Option, params string[] Signals);

    private static ulong Ago(string option, string duration, ulong now)
    {
        var span = Positive(option, duration, allowZero: true);
        var nanos = (ulong)span.Ticks * 100;
        if (nanos >= now)
        {
            throw new UsageException($"{option}: '{duration}' reaches back before 1970");
        }
        return now - nanos;
    }

    private static TimeSpan Positive(string option, string text, bool allowZero)
    {
        var span = TimeSyntax.ParseDuration(option, text);
        if (span < TimeSpan.Zero || (!allowZero && span == TimeSpan.Zero))
        {
            throw new UsageException($"{option}: '{text}' must be {(allowZero ? "zero or more" : "more than zero")}");
        }
        return span;
    }
}
