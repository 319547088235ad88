using System.Globalization;
using System.Text;

namespace EvoMerge.FuzzCorpus;

/// <summary>
/// Bad safetensors files, each a mutation of one valid file of three tensors (a F32 [3, 4], b I64 [6], c BF16 [5]):
/// truncations, flipped bytes, bad header lengths (zero, negative as int64, huge, past the end), invalid JSON,
/// overlapping, reversed and out-of-range data_offsets, wrong dtype names, shapes that do not match their byte
/// ranges, duplicate keys, deep nesting, non-UTF-8 names, headers without tensors and entries of the wrong type.
/// </summary>
public static class SafetensorsMutations
{
    /// <summary>The valid file's header (before padding).</summary>
    public const string ValidHeader =
        """{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[3,4],"data_offsets":[0,48]},"b":{"dtype":"I64","shape":[6],"data_offsets":[48,96]},"c":{"dtype":"BF16","shape":[5],"data_offsets":[96,106]}}""";

    /// <summary>Bytes of the tensor data (106).</summary>
    public const int DataLength = 106;

    private const string A = "\"a\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[0,48]}";

    /// <summary>The valid file: 8-byte little-endian header length, the header padded with spaces to a multiple of 8, the data.</summary>
    public static byte[] Valid() => File(ValidHeader);

    /// <summary>Every case, drawn from <paramref name="random"/>.</summary>
    public static List<FuzzCase> Generate(Random random)
    {
        var valid = Valid();
        int headerLength = (int)BitConverter.ToUInt64(valid, 0);
        var cases = new List<FuzzCase>();

        for (int i = 0; i < 24; i++) cases.Add(new("truncated", valid[..random.Next(valid.Length)]));

        byte[] interesting = "{}[]\",:0123456789-e.Ex \0\xff"u8.ToArray();
        for (int i = 0; i < 70; i++)
        {
            var bytes = (byte[])valid.Clone();
            int flips = 1 + random.Next(4);
            for (int f = 0; f < flips; f++)
            {
                int at = random.Next(0, 8 + headerLength);
                bytes[at] = random.Next(3) == 0 ? (byte)random.Next(256) : interesting[random.Next(interesting.Length)];
            }
            cases.Add(new("header-bytes-flipped", bytes, MustFail: false));
        }
        for (int i = 0; i < 10; i++)
        {
            var bytes = (byte[])valid.Clone();
            bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
            cases.Add(new("any-byte-flipped", bytes, MustFail: false));
        }

        ulong[] mustFailLengths =
        [
            0, 1, 7, ulong.MaxValue, 1UL << 63, long.MaxValue, 1UL << 40, 100_000_001, (ulong)int.MaxValue + 1, uint.MaxValue,
            (ulong)valid.Length, (ulong)valid.Length - 7, (ulong)headerLength + DataLength + 1,
        ];
        foreach (ulong length in mustFailLengths) cases.Add(new("header-length", WithLength(valid, length)));
        foreach (ulong length in new[] { (ulong)headerLength - 1, (ulong)headerLength + 1, (ulong)headerLength - 8, (ulong)headerLength + 8 })
            cases.Add(new("header-length-off-by-some", WithLength(valid, length), MustFail: false));
        for (int i = 0; i < 4; i++) cases.Add(new("header-length-random", WithLength(valid, (ulong)random.NextInt64() * 2 + 1)));

        string[] invalidJson =
        [
            "", "{", "}", "not json", "{\"a\":}", "{\"a\":{\"dtype\":\"F32\",}}", "{" + A + ",}", "{'a':1}", "{\"a\":NaN}",
            "{/*c*/" + A + "}", "[", "null", "true", "\"str\"", "{" + A + "} trailing", "{\"a\"" + new string(' ', 3) + "{}}",
        ];
        foreach (string header in invalidJson) cases.Add(new("invalid-json", File(header)));

        string[] offsets =
        [
            "[0,48]|[40,88]|[88,98]", "[0,48]|[48,96]|[96,2000]", "[48,0]|[48,96]|[96,106]", "[-8,40]|[48,96]|[96,106]",
            "[0,100000000000000000000]|[48,96]|[96,106]", "[0.5,48]|[48,96]|[96,106]", "[\"0\",\"48\"]|[48,96]|[96,106]",
            "[0]|[48,96]|[96,106]", "[0,48,96]|[48,96]|[96,106]", "null|[48,96]|[96,106]", "{}|[48,96]|[96,106]",
            "[0,48]|[0,48]|[96,106]", "[0,48]|[48,96]|[96,106000000]", "[0,48]|[48,96]|[106,116]",
            "[18446744073709551615,48]|[48,96]|[96,106]", "[0,48]|[48,9223372036854775807]|[96,106]",
        ];
        foreach (string o in offsets)
        {
            var p = o.Split('|');
            cases.Add(new("data-offsets", File(Header(offsets: p))));
        }
        cases.Add(new("data-offsets-gap", File(Header(offsets: ["[0,48]", "[50,98]", "[98,108]"]), DataLength + 2), MustFail: false));

        foreach (string dtype in new[] { "\"F33\"", "\"f32\"", "\"\"", "\"FLOAT\"", "32", "null", "\"float32\"", "\"torch.float32\"", "\"U8\"", "\"F64\"", "[\"F32\"]", "\"I8\"" })
            cases.Add(new("dtype", File(Header(dtypeA: dtype))));

        foreach (string shape in new[] { "[3,5]", "[]", "[48]", "[-3,4]", "[3,-4]", "[10000000000,10000000000]", "[9223372036854775807,2]", "[3.5,4]", "[\"3\",4]", "null", "12", "[0,4]", "[1048576,1048576,1048576]" })
            cases.Add(new("shape", File(Header(shapeA: shape))));

        string[] duplicates =
        [
            "{" + A + "," + A + "}",
            "{" + A + ",\"a\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[48,96]}}",
            "{\"__metadata__\":{},\"__metadata__\":{}," + A + "}",
            "{\"a\":{\"dtype\":\"F32\",\"dtype\":\"I64\",\"shape\":[3,4],\"data_offsets\":[0,48]}}",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[3,4],\"shape\":[2,6],\"data_offsets\":[0,48]}}",
        ];
        foreach (string header in duplicates) cases.Add(new("duplicate-keys", File(header, 48), MustFail: false));

        foreach (int depth in new[] { 65, 100, 1000, 10_000 })
            cases.Add(new("deep-nesting", File("{\"__metadata__\":{\"x\":" + new string('[', depth) + new string(']', depth) + "}," + A + "}", 48), MustFail: false));
        cases.Add(new("deep-nesting", File(new string('[', 5000) + new string(']', 5000))));
        cases.Add(new("deep-nesting", File("{\"a\":" + string.Concat(Enumerable.Repeat("{\"x\":", 2000)) + "1" + new string('}', 2001))));

        byte[][] notUtf8 = [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC0, 0xAF], [0x80]];
        foreach (var bad in notUtf8)
        {
            byte[] header = [.. "{\"a"u8, .. bad, .. "\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[0,48]}}"u8];
            cases.Add(new("non-utf8", File(header, 48), MustFail: false));
        }

        foreach (string header in new[] { "{}", "{\"__metadata__\":{}}", "{\"__metadata__\":{\"format\":\"pt\"}}", "[]", "1", "{}" + new string(' ', 14) })
            cases.Add(new("no-tensors", File(header, 0)));

        foreach (string entry in new[] { "\"F32\"", "[1,2]", "7", "null", "{\"shape\":[3,4],\"data_offsets\":[0,48]}", "{\"dtype\":\"F32\",\"data_offsets\":[0,48]}", "{\"dtype\":\"F32\",\"shape\":[3,4]}" })
            cases.Add(new("entry-type", File("{\"a\":" + entry + "}", 48)));
        cases.Add(new("entry-extra-field", File("{\"a\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[0,48],\"extra\":[1]}}", 48), MustFail: false));

        foreach (string metadata in new[] { "{\"format\":1}", "[1]", "\"pt\"", "{\"x\":\"" + new string('m', 10_000) + "\"}", "{" + string.Join(",", Enumerable.Range(0, 500).Select(k => $"\"k{k}\":\"v\"")) + "}" })
            cases.Add(new("metadata", File("{\"__metadata__\":" + metadata + "," + A + "}", 48), MustFail: false));

        foreach (string pad in new[] { "\0\0\0\0\0\0\0", "\t\n\r" })
            cases.Add(new("padding", File("{" + A + "}" + pad, 48), MustFail: false));
        cases.Add(new("padding", File([.. "\uFEFF"u8, .. Encoding.UTF8.GetBytes("{" + A + "}")], 48), MustFail: false));
        cases.Add(new("padding", File(new string(' ', 64))));

        foreach (int count in new[] { 1000, 3000 })
        {
            var many = new StringBuilder("{");
            for (int t = 0; t < count; t++) many.Append(CultureInfo.InvariantCulture, $"{(t == 0 ? "" : ",")}\"t{t}\":{{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}");
            cases.Add(new("many-tensors", File(many.Append('}').ToString(), 0), MustFail: false));
        }
        cases.Add(new("huge-claim", File("{\"a\":{\"dtype\":\"F32\",\"shape\":[1048576,1048576],\"data_offsets\":[0,4398046511104]}}", 48)));
        cases.Add(new("huge-claim", File("{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}", 48)));
        cases.Add(new("huge-claim", File("{\"a\":{\"dtype\":\"BF16\",\"shape\":[2147483648],\"data_offsets\":[0,4294967296]}}", 48)));
        return cases;
    }

    /// <summary>The valid header with tensor a's dtype or shape, or all three offsets, replaced.</summary>
    private static string Header(string dtypeA = "\"F32\"", string shapeA = "[3,4]", string[]? offsets = null)
    {
        offsets ??= ["[0,48]", "[48,96]", "[96,106]"];
        return $"{{\"a\":{{\"dtype\":{dtypeA},\"shape\":{shapeA},\"data_offsets\":{offsets[0]}}},\"b\":{{\"dtype\":\"I64\",\"shape\":[6],\"data_offsets\":{offsets[1]}}},\"c\":{{\"dtype\":\"BF16\",\"shape\":[5],\"data_offsets\":{offsets[2]}}}}}";
    }

    private static byte[] File(string header, int dataLength = DataLength) => File(Encoding.UTF8.GetBytes(header), dataLength);

    /// <summary>A file of <paramref name="header"/> (padded with spaces to a multiple of 8) and <paramref name="dataLength"/> data bytes (i % 251).</summary>
    private static byte[] File(byte[] header, int dataLength = DataLength)
    {
        int padded = (header.Length + 7) / 8 * 8;
        var file = new byte[8 + padded + dataLength];
        BitConverter.TryWriteBytes(file.AsSpan(0, 8), (ulong)padded);
        header.CopyTo(file, 8);
        file.AsSpan(8 + header.Length, padded - header.Length).Fill((byte)' ');
        for (int i = 0; i < dataLength; i++) file[8 + padded + i] = (byte)(i % 251);
        return file;
    }

    private static byte[] WithLength(byte[] valid, ulong length)
    {
        var bytes = (byte[])valid.Clone();
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), length);
        return bytes;
    }
}
