using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Oteleport.Otlp.Json;

/// <summary>How a field's value is written and read in OTLP JSON.</summary>
internal enum FieldJsonKind
{
    Double,
    Float,
    /// <summary>int32, sint32, sfixed32: a JSON number.</summary>
    Int32,
    /// <summary>uint32, fixed32: a JSON number.</summary>
    UInt32,
    /// <summary>int64, sint64, sfixed64: a decimal string.</summary>
    Int64,
    /// <summary>uint64, fixed64: a decimal string.</summary>
    UInt64,
    Bool,
    String,
    /// <summary>Any bytes field except the ids: standard base64.</summary>
    Base64,
    /// <summary>trace_id, span_id, parent_span_id: hexadecimal with a fixed byte length.</summary>
    Hex,
    Enum,
    Message,
}

/// <summary>One field of a message, with everything the codec needs precomputed.</summary>
internal sealed class JsonField
{
    public JsonField(FieldDescriptor descriptor)
    {
        Descriptor = descriptor;
        Accessor = descriptor.Accessor;
        JsonName = descriptor.JsonName;
        JsonNameUtf8 = Encoding.UTF8.GetBytes(descriptor.JsonName);
        ProtoNameUtf8 = Encoding.UTF8.GetBytes(descriptor.Name);
        EncodedJsonName = JsonEncodedText.Encode(JsonNameUtf8);
        IsRepeated = descriptor.IsRepeated;
        // Explicit presence for singular scalars: proto3 "optional" (a synthetic oneof).
        // Real oneof members are handled through their oneof; message fields are checked for null.
        TracksPresence = descriptor.HasPresence && descriptor.RealContainingOneof is null
            && descriptor.FieldType != FieldType.Message && descriptor.FieldType != FieldType.Group;
        Kind = KindOf(descriptor, out var hexLength);
        HexLength = hexLength;
        if (Kind == FieldJsonKind.Enum)
        {
            EnumNames = JsonEnumNames.For(descriptor.EnumType);
        }
    }

    public FieldDescriptor Descriptor { get; }
    public IFieldAccessor Accessor { get; }
    /// <summary>lowerCamelCase name, used for writing and in error paths.</summary>
    public string JsonName { get; }
    public byte[] JsonNameUtf8 { get; }
    /// <summary>The proto (snake_case) name, also accepted when reading.</summary>
    public byte[] ProtoNameUtf8 { get; }
    public JsonEncodedText EncodedJsonName { get; }
    public bool IsRepeated { get; }
    public bool TracksPresence { get; }
    public FieldJsonKind Kind { get; }
    /// <summary>For <see cref="FieldJsonKind.Hex"/>: the required length in bytes.</summary>
    public int HexLength { get; }
    public JsonEnumNames? EnumNames { get; }

    private JsonMessageTable? _messageTable;

    /// <summary>The table of the field's message type (message fields only), resolved lazily because types can be recursive.</summary>
    public JsonMessageTable MessageTable => _messageTable ??= JsonMessageTable.For(Descriptor.MessageType);

    private static FieldJsonKind KindOf(FieldDescriptor field, out int hexLength)
    {
        hexLength = 0;
        switch (field.FieldType)
        {
            case FieldType.Double: return FieldJsonKind.Double;
            case FieldType.Float: return FieldJsonKind.Float;
            case FieldType.Int32:
            case FieldType.SInt32:
            case FieldType.SFixed32: return FieldJsonKind.Int32;
            case FieldType.UInt32:
            case FieldType.Fixed32: return FieldJsonKind.UInt32;
            case FieldType.Int64:
            case FieldType.SInt64:
            case FieldType.SFixed64: return FieldJsonKind.Int64;
            case FieldType.UInt64:
            case FieldType.Fixed64: return FieldJsonKind.UInt64;
            case FieldType.Bool: return FieldJsonKind.Bool;
            case FieldType.String: return FieldJsonKind.String;
            case FieldType.Enum: return FieldJsonKind.Enum;
            case FieldType.Message:
            case FieldType.Group: return FieldJsonKind.Message;
            case FieldType.Bytes:
                if (!field.IsRepeated)
                {
                    switch (field.Name)
                    {
                        case "trace_id":
                            hexLength = 16;
                            return FieldJsonKind.Hex;
                        case "span_id":
                        case "parent_span_id":
                            hexLength = 8;
                            return FieldJsonKind.Hex;
                    }
                }
                return FieldJsonKind.Base64;
            default:
                throw new NotSupportedException($"Field {field.FullName} has unsupported type {field.FieldType}.");
        }
    }
}

/// <summary>
/// A unit of output in declaration order: either a plain field, or a real oneof
/// (written at the position of its first member, as whichever member is set).
/// </summary>
internal readonly struct JsonWriteSlot
{
    public JsonWriteSlot(JsonField field)
    {
        Field = field;
        Oneof = null;
    }

    public JsonWriteSlot(OneofAccessor oneof)
    {
        Field = null;
        Oneof = oneof;
    }

    public JsonField? Field { get; }
    public OneofAccessor? Oneof { get; }
}

/// <summary>The names of an enum's values as UTF-8, for reading enum names without allocating strings.</summary>
internal sealed class JsonEnumNames
{
    private static readonly ConcurrentDictionary<EnumDescriptor, JsonEnumNames> Cache = new();

    // Boxed values for small numbers, so reading an enum does not box on every value.
    private const int BoxedCount = 64;

    private readonly byte[][] _names;
    private readonly int[] _numbers;
    private readonly object[] _boxed;
    private readonly Type _clrType;

    private JsonEnumNames(EnumDescriptor descriptor)
    {
        _clrType = descriptor.ClrType;
        var values = descriptor.Values;
        _names = new byte[values.Count][];
        _numbers = new int[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            _names[i] = Encoding.UTF8.GetBytes(values[i].Name);
            _numbers[i] = values[i].Number;
        }
        _boxed = new object[BoxedCount];
        for (var i = 0; i < BoxedCount; i++)
        {
            _boxed[i] = Enum.ToObject(_clrType, i);
        }
    }

    /// <summary>The enum value for <paramref name="number"/>, boxed as the generated CLR enum type (unknown numbers included).</summary>
    public object Box(int number) =>
        (uint)number < BoxedCount ? _boxed[number] : Enum.ToObject(_clrType, number);

    public static JsonEnumNames For(EnumDescriptor descriptor) =>
        Cache.GetOrAdd(descriptor, static d => new JsonEnumNames(d));

    public bool TryGetNumber(ReadOnlySpan<byte> name, out int number)
    {
        for (var i = 0; i < _names.Length; i++)
        {
            if (name.SequenceEqual(_names[i]))
            {
                number = _numbers[i];
                return true;
            }
        }
        number = 0;
        return false;
    }
}

/// <summary>Per-message-type field table, built once per descriptor and cached.</summary>
internal sealed class JsonMessageTable
{
    private static readonly ConcurrentDictionary<MessageDescriptor, JsonMessageTable> Cache = new();

    private JsonMessageTable(MessageDescriptor descriptor)
    {
        Descriptor = descriptor;
        var declared = descriptor.Fields.InDeclarationOrder();
        var fields = new JsonField[declared.Count];
        var slots = new List<JsonWriteSlot>(declared.Count);
        var seenOneofs = new HashSet<OneofDescriptor>();
        for (var i = 0; i < declared.Count; i++)
        {
            var fd = declared[i];
            if (fd.IsMap)
            {
                throw new NotSupportedException($"Map field {fd.FullName} is not supported by the OTLP JSON codec.");
            }
            if (fd.Index != i)
            {
                throw new InvalidOperationException($"Unexpected field index for {fd.FullName}.");
            }
            var field = new JsonField(fd);
            fields[i] = field;
            var oneof = fd.RealContainingOneof;
            if (oneof is null)
            {
                slots.Add(new JsonWriteSlot(field));
            }
            else if (seenOneofs.Add(oneof))
            {
                slots.Add(new JsonWriteSlot(oneof.Accessor));
            }
        }
        Fields = fields;
        Slots = slots.ToArray();
        _parser = descriptor.Parser;
    }

    private readonly MessageParser _parser;

    public MessageDescriptor Descriptor { get; }

    /// <summary>Fields in declaration order (also the order in which a reader expects them).</summary>
    public JsonField[] Fields { get; }

    /// <summary>What to write, in order.</summary>
    public JsonWriteSlot[] Slots { get; }

    public static JsonMessageTable For(MessageDescriptor descriptor) =>
        Cache.GetOrAdd(descriptor, static d => new JsonMessageTable(d));

    /// <summary>The entry of a field of this message (e.g. the member a oneof case names).</summary>
    public JsonField FieldOf(FieldDescriptor field) => Fields[field.Index];

    /// <summary>A new, empty instance of the message type.</summary>
    public IMessage CreateMessage() => _parser.ParseFrom(ReadOnlySpan<byte>.Empty);

    /// <summary>
    /// Finds the field whose lowerCamelCase or proto name equals <paramref name="name"/> (unescaped UTF-8).
    /// <paramref name="hint"/> is the index just after the previously matched field: documents written
    /// in declaration order match on the first comparison.
    /// </summary>
    public int FindField(ReadOnlySpan<byte> name, int hint)
    {
        var fields = Fields;
        if ((uint)hint < (uint)fields.Length && name.SequenceEqual(fields[hint].JsonNameUtf8))
        {
            return hint;
        }
        for (var i = 0; i < fields.Length; i++)
        {
            if (name.SequenceEqual(fields[i].JsonNameUtf8))
            {
                return i;
            }
        }
        for (var i = 0; i < fields.Length; i++)
        {
            if (name.SequenceEqual(fields[i].ProtoNameUtf8))
            {
                return i;
            }
        }
        return -1;
    }
}
