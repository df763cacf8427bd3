using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Oteleport.Testing.Fuzzing;

/// <summary>
/// Turns valid documents into invalid, odd or hostile ones: byte mutations (flips, interesting values,
/// insertions, deletions, duplications, truncation, splices of two documents), protobuf length and varint
/// damage, and, for JSON, structural mutations (a value of another type, a huge or negative number, bad
/// hex, a removed or misspelt key, deep nesting, a long array).
/// </summary>
public static class Mutator
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x7F, 0x80, 0xFF, (byte)'"', (byte)'{', (byte)'[', (byte)'\\', 0x0A, 0xC3];

    private static readonly string[] WeirdJson =
    [
        "null", "true", "false", "0", "-1", "1.5", "1e400", "-1e400", "18446744073709551616", "-9223372036854775809",
        "\"\"", "\"x\"", "\"-1\"", "\"18446744073709551615\"", "\"99999999999999999999999\"", "\"NaN\"", "\"Infinity\"", "\"0x10\"",
        "\"ZZ\"", "\"ABC\"", "\"0102\"", "\"5b8efff798038103d269b633813fc60c\"", "\"5B8EFFF79803810\"", "\"\\u0000\"", "\"\\ud800\"",
        "{}", "[]", "[null]", "{\"\":1}", "\"AAAA\"", "\"====\"",
    ];

    /// <summary>One to four mutations of <paramref name="input"/>; <paramref name="seeds"/> supply splices.</summary>
    public static byte[] Mutate(Random random, byte[] input, IReadOnlyList<byte[]> seeds)
    {
        var data = input;
        var rounds = 1 + random.Next(4);
        for (var i = 0; i < rounds; i++)
        {
            data = random.Next(10) switch
            {
                < 3 when LooksLikeJson(data) => MutateJson(random, data) ?? MutateBytes(random, data, seeds),
                _ => MutateBytes(random, data, seeds),
            };
        }
        return data;
    }

    /// <summary>Random bytes of a random length up to <paramref name="maxLength"/>.</summary>
    public static byte[] RandomBytes(Random random, int maxLength)
    {
        var bytes = new byte[random.Next(maxLength + 1)];
        random.NextBytes(bytes);
        return bytes;
    }

    public static byte[] MutateBytes(Random random, byte[] input, IReadOnlyList<byte[]> seeds)
    {
        var data = new List<byte>(input);
        switch (random.Next(9))
        {
            case 0 when data.Count > 0:
                var bit = random.Next(data.Count * 8);
                data[bit / 8] ^= (byte)(1 << (bit % 8));
                break;
            case 1 when data.Count > 0:
                data[random.Next(data.Count)] = Interesting[random.Next(Interesting.Length)];
                break;
            case 2:
                var extra = new byte[1 + random.Next(16)];
                random.NextBytes(extra);
                data.InsertRange(random.Next(data.Count + 1), extra);
                break;
            case 3 when data.Count > 1:
                var at = random.Next(data.Count);
                data.RemoveRange(at, 1 + random.Next(Math.Min(64, data.Count - at)));
                break;
            case 4 when data.Count > 1:
                var from = random.Next(data.Count);
                var chunk = data.GetRange(from, 1 + random.Next(Math.Min(64, data.Count - from)));
                for (var copies = random.Next(1, 4); copies > 0; copies--)
                {
                    data.InsertRange(random.Next(data.Count + 1), chunk);
                }
                break;
            case 5 when data.Count > 0:
                var keep = random.Next(data.Count);
                data.RemoveRange(keep, data.Count - keep);
                break;
            case 6 when seeds.Count > 0:
                var other = seeds[random.Next(seeds.Count)];
                var cut = random.Next(data.Count + 1);
                var otherCut = random.Next(other.Length + 1);
                data.RemoveRange(cut, data.Count - cut);
                data.AddRange(other.AsSpan(otherCut).ToArray());
                break;
            case 7:
                // Protobuf damage: a length-delimited field 1 claiming a huge or negative length, or an over-long varint.
                byte[][] damage = [[0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], [0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], [0x0F], [0x0B], [0x0C]];
                data.InsertRange(random.Next(data.Count + 1), damage[random.Next(damage.Length)]);
                break;
            default:
                // Random bytes at a random place (also where a case above did not apply).
                data.InsertRange(random.Next(data.Count + 1), RandomBytes(random, 8));
                break;
        }
        return [.. data];
    }

    private static bool LooksLikeJson(byte[] data)
    {
        foreach (var b in data)
        {
            if (b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
            {
                continue;
            }
            return b is (byte)'{' or (byte)'[';
        }
        return false;
    }

    /// <summary>A structural mutation of a JSON document, or null when JsonNode cannot hold it (malformed, duplicate keys, lone surrogates).</summary>
    public static byte[]? MutateJson(Random random, byte[] input)
    {
        try
        {
            return MutateJsonNodes(random, input);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or JsonException)
        {
            return null;
        }
    }

    private static byte[]? MutateJsonNodes(Random random, byte[] input)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(input, documentOptions: new JsonDocumentOptions { MaxDepth = 512 });
        }
        catch (JsonException)
        {
            return null;
        }
        if (root is null)
        {
            return null;
        }
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        var target = nodes[random.Next(nodes.Count)];
        switch (random.Next(7))
        {
            case 0 or 1:
                // As raw text: JsonNode would not write a lone surrogate back out.
                return Splice(root, target, WeirdJson[random.Next(WeirdJson.Length)]);
            case 2 when target is JsonObject obj && obj.Count > 0:
                obj.Remove(obj.ElementAt(random.Next(obj.Count)).Key);
                break;
            case 3 when target is JsonObject obj && obj.Count > 0:
                var (name, value) = obj.ElementAt(random.Next(obj.Count));
                obj.Remove(name);
                obj[name.Length > 1 ? name[..^1] : name + "_"] = value; // a misspelt key
                break;
            case 4:
                // Deep nesting where a value was: arrays or attribute-like objects, up to far past any limit.
                var depth = random.Next(2) == 0 ? random.Next(10, 140) : random.Next(140, 400);
                var nested = new StringBuilder();
                var asArrays = random.Next(2) == 0;
                for (var d = 0; d < depth; d++)
                {
                    nested.Append(asArrays ? "[" : "{\"arrayValue\":{\"values\":[");
                }
                nested.Append("{\"stringValue\":\"leaf\"}");
                for (var d = 0; d < depth; d++)
                {
                    nested.Append(asArrays ? "]" : "]}}");
                }
                return Splice(root, target, nested.ToString());
            case 5 when target is JsonArray array && array.Count > 0:
                var element = array[random.Next(array.Count)];
                for (var copies = random.Next(1, 200); copies > 0; copies--)
                {
                    array.Add(element?.DeepClone());
                }
                break;
            default:
                root = Replace(target, root, JsonValue.Create(new string('x', random.Next(1, 5000))));
                break;
        }
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private static void Collect(JsonNode node, List<JsonNode> nodes)
    {
        nodes.Add(node);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj.ToList())
                {
                    if (child is not null)
                    {
                        Collect(child, nodes);
                    }
                }
                break;
            case JsonArray array:
                foreach (var child in array.ToList())
                {
                    if (child is not null)
                    {
                        Collect(child, nodes);
                    }
                }
                break;
        }
    }

    // The new root: the replacement itself when the target was the root.
    private static JsonNode Replace(JsonNode target, JsonNode root, JsonNode? replacement)
    {
        if (ReferenceEquals(target, root))
        {
            return replacement ?? JsonValue.Create(0);
        }
        target.ReplaceWith(replacement);
        return root;
    }

    // Puts raw JSON text (too deep for JsonNode to hold comfortably) where the target was.
    private static byte[] Splice(JsonNode root, JsonNode target, string raw)
    {
        const string Marker = "\"__oteleport_fuzz_marker__\"";
        if (ReferenceEquals(target, root))
        {
            return Encoding.UTF8.GetBytes(raw);
        }
        target.ReplaceWith(JsonValue.Create("__oteleport_fuzz_marker__"));
        return Encoding.UTF8.GetBytes(root.ToJsonString().Replace(Marker, raw, StringComparison.Ordinal));
    }
}
