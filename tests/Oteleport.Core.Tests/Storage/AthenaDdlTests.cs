using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Proto.V1;
using Oteleport.Signals;
using Oteleport.Storage.Flatten;

namespace Oteleport.Core.Tests.Storage;

/// <summary>The Athena tables of docs/athena.md have exactly the columns the flatten writer produces.</summary>
public partial class AthenaDdlTests
{
    private sealed record Table(SignalType Signal, string Name, List<(string Column, string Type)> Columns, string Ddl);

    private static readonly Lazy<List<Table>> Tables = new(ReadTables);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Oteleport.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Oteleport.sln not found above the test directory");
    }

    [GeneratedRegex(@"```sql\s*\n(?<ddl>CREATE EXTERNAL TABLE.*?)```", RegexOptions.Singleline)]
    private static partial Regex DdlBlock();

    [GeneratedRegex(@"CREATE EXTERNAL TABLE\s+(?<name>\w+)\s*\(", RegexOptions.Singleline)]
    private static partial Regex TableHead();

    [GeneratedRegex(@"LOCATION\s+'s3://BUCKET/PREFIX/(?<folder>traces|metrics|logs)/'")]
    private static partial Regex Location();

    // A struct member inside a column type: name (backticks allowed), then ':'.
    [GeneratedRegex(@"[<,]\s*`?(?<name>\w+)`?\s*:")]
    private static partial Regex StructMember();

    private static List<Table> ReadTables()
    {
        var markdown = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "athena.md"));
        var tables = new List<Table>();
        foreach (Match block in DdlBlock().Matches(markdown))
        {
            var ddl = block.Groups["ddl"].Value;
            var head = TableHead().Match(ddl);
            head.Success.Should().BeTrue();
            var folder = Location().Match(ddl).Groups["folder"].Value;
            var signal = folder switch
            {
                "traces" => SignalType.Traces,
                "metrics" => SignalType.Metrics,
                "logs" => SignalType.Logs,
                _ => throw new AssertionException($"table {head.Groups["name"].Value} has no LOCATION under traces/, metrics/ or logs/"),
            };
            tables.Add(new Table(signal, head.Groups["name"].Value, SplitColumns(ddl, head.Index + head.Length), ddl));
        }
        return tables;
    }

    /// <summary>The "name type" items of the column list that opens at <paramref name="start"/>, split at top-level commas.</summary>
    private static List<(string, string)> SplitColumns(string ddl, int start)
    {
        var columns = new List<(string, string)>();
        var depth = 0;
        var item = new StringBuilder();
        for (var i = start; i < ddl.Length; i++)
        {
            var c = ddl[i];
            if (depth == 0 && (c == ',' || c == ')'))
            {
                var text = item.ToString().Trim();
                var space = text.IndexOfAny([' ', '\t', '\n']);
                columns.Add((text[..space].Trim('`'), text[space..].Trim()));
                item.Clear();
                if (c == ')')
                {
                    return columns;
                }
                continue;
            }
            depth += c is '<' or '(' ? 1 : c is '>' or ')' ? -1 : 0;
            item.Append(c);
        }
        throw new AssertionException("unterminated column list");
    }

    // ---- what the writer produces for records with every field set ----

    private static IEnumerable<KeyValue> EveryKindOfValue() =>
    [
        new() { Key = "s", Value = new AnyValue { StringValue = "text" } },
        new() { Key = "b", Value = new AnyValue { BoolValue = true } },
        new() { Key = "i", Value = new AnyValue { IntValue = 7 } },
        new() { Key = "d", Value = new AnyValue { DoubleValue = 0.5 } },
        new() { Key = "y", Value = new AnyValue { BytesValue = ByteString.CopyFromUtf8("raw") } },
        new() { Key = "a", Value = new AnyValue { ArrayValue = new ArrayValue { Values = { new AnyValue { StringValue = "x" } } } } },
        new() { Key = "k", Value = new AnyValue { KvlistValue = new KeyValueList { Values = { new KeyValue { Key = "in", Value = new AnyValue { IntValue = 1 } } } } } },
    ];

    private static void Populate(Resource resource)
    {
        resource.Attributes.Add(EveryKindOfValue());
        resource.DroppedAttributesCount = 1;
    }

    private static void Populate(InstrumentationScope scope)
    {
        scope.Name = "scope";
        scope.Version = "1.0";
        scope.Attributes.Add(EveryKindOfValue());
        scope.DroppedAttributesCount = 1;
    }

    private static List<SignalRecord> FullyPopulated(SignalType signal)
    {
        var records = new List<SignalRecord>();
        switch (signal)
        {
            case SignalType.Traces:
                var traces = FlattenGoldenTests.GoldenSpan();
                var resourceSpans = traces.ResourceSpans[0];
                Populate(resourceSpans.Resource);
                Populate(resourceSpans.ScopeSpans[0].Scope);
                var span = resourceSpans.ScopeSpans[0].Spans[0];
                span.Attributes.Add(EveryKindOfValue());
                span.Events[0].DroppedAttributesCount = 1;
                span.Links[0].TraceState = "link=1";
                span.Links[0].DroppedAttributesCount = 1;
                TraceShape.Instance.Collect(traces, records);
                break;
            case SignalType.Metrics:
                var metrics = FlattenGoldenTests.GoldenPoints();
                var resourceMetrics = metrics.ResourceMetrics[0];
                Populate(resourceMetrics.Resource);
                Populate(resourceMetrics.ScopeMetrics[0].Scope);
                foreach (var metric in resourceMetrics.ScopeMetrics[0].Metrics)
                {
                    metric.Description = "described";
                    metric.Metadata.Add(EveryKindOfValue());
                }
                var exemplar = new Exemplar { FilteredAttributes = { EveryKindOfValue() }, TimeUnixNano = 1, AsInt = 3, SpanId = ByteString.CopyFrom(new byte[8]), TraceId = ByteString.CopyFrom(new byte[16]) };
                var gauge = resourceMetrics.ScopeMetrics[0].Metrics[0].Gauge.DataPoints[0];
                gauge.Exemplars.Add(exemplar);
                gauge.Flags = 1;
                MetricShape.Instance.Collect(metrics, records);
                break;
            default:
                var logs = FlattenGoldenTests.GoldenLog();
                var resourceLogs = logs.ResourceLogs[0];
                Populate(resourceLogs.Resource);
                Populate(resourceLogs.ScopeLogs[0].Scope);
                resourceLogs.ScopeLogs[0].LogRecords[0].Body = new AnyValue { KvlistValue = new KeyValueList { Values = { EveryKindOfValue() } } };
                LogShape.Instance.Collect(logs, records);
                break;
        }
        return records;
    }

    private static List<JsonDocument> WrittenLines(SignalType signal) =>
        Encoding.UTF8.GetString(FlattenWriter.Encode(signal, FullyPopulated(signal)))
            .Split('\n')
            .Select(line => JsonDocument.Parse(line))
            .ToList();

    private static MessageDescriptor FlattenDescriptor(SignalType signal) => signal switch
    {
        SignalType.Traces => FlattenSpan.Descriptor,
        SignalType.Metrics => FlattenDataPoint.Descriptor,
        _ => FlattenLogRecord.Descriptor,
    };

    private static void CollectNames(JsonElement element, HashSet<string> names)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    names.Add(property.Name);
                    CollectNames(property.Value, names);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    CollectNames(item, names);
                }
                break;
        }
    }

    // ---- the checks ----

    [Test]
    public void The_document_defines_one_table_per_signal()
    {
        Tables.Value.Select(t => t.Signal).Should().BeEquivalentTo([SignalType.Traces, SignalType.Metrics, SignalType.Logs]);
        Tables.Value.Select(t => t.Name).Should().OnlyHaveUniqueItems();
    }

    [TestCase(SignalType.Traces)]
    [TestCase(SignalType.Metrics)]
    [TestCase(SignalType.Logs)]
    public void The_test_records_set_every_field_of_the_flattened_message(SignalType signal)
    {
        var produced = WrittenLines(signal).SelectMany(l => l.RootElement.EnumerateObject().Select(p => p.Name)).ToHashSet();
        produced.Should().BeEquivalentTo(FlattenDescriptor(signal).Fields.InDeclarationOrder().Select(f => f.JsonName));
    }

    [TestCase(SignalType.Traces)]
    [TestCase(SignalType.Metrics)]
    [TestCase(SignalType.Logs)]
    public void Every_column_is_a_field_the_writer_produces_and_every_field_has_a_column(SignalType signal)
    {
        var table = Tables.Value.Single(t => t.Signal == signal);
        var produced = WrittenLines(signal).SelectMany(l => l.RootElement.EnumerateObject().Select(p => p.Name)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var columns = table.Columns.Select(c => c.Column).ToList();

        // Athena lowercases column names and the SerDe matches JSON keys without regard to case.
        columns.Should().OnlyHaveUniqueItems(c => c.ToLowerInvariant());
        columns.Where(c => !produced.Contains(c)).Should().BeEmpty($"every column of {table.Name} must be a field of the flattened lines");
        produced.Where(f => !columns.Contains(f, StringComparer.OrdinalIgnoreCase)).Should().BeEmpty($"every field of the flattened lines must be a column of {table.Name}");
    }

    [TestCase(SignalType.Traces)]
    [TestCase(SignalType.Metrics)]
    [TestCase(SignalType.Logs)]
    public void Every_struct_member_is_a_name_the_writer_uses(SignalType signal)
    {
        var table = Tables.Value.Single(t => t.Signal == signal);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in WrittenLines(signal))
        {
            CollectNames(line.RootElement, names);
        }
        var members = table.Columns.SelectMany(c => StructMember().Matches(c.Type).Select(m => m.Groups["name"].Value)).Distinct().ToList();
        members.Should().NotBeEmpty();
        members.Where(m => !names.Contains(m)).Should().BeEmpty($"struct members of {table.Name} must match the JSON written");
    }

    [TestCase(SignalType.Traces)]
    [TestCase(SignalType.Metrics)]
    [TestCase(SignalType.Logs)]
    public void Each_table_projects_the_hour_folders_of_its_signal(SignalType signal)
    {
        var table = Tables.Value.Single(t => t.Signal == signal);
        var folder = SignalLayout.FolderName(signal);
        table.Ddl.Should().Contain("PARTITIONED BY (dt string)")
            .And.Contain("'org.openx.data.jsonserde.JsonSerDe'")
            .And.Contain("'projection.dt.type' = 'date'")
            .And.Contain("'projection.dt.format' = 'yyyy/MM/dd/HH'")
            .And.Contain("'projection.dt.interval.unit' = 'HOURS'")
            .And.Contain($"'storage.location.template' = 's3://BUCKET/PREFIX/{folder}/${{dt}}/'");
    }
}
