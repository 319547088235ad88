using System.Reflection;
using System.Reflection.Emit;

namespace EvoMerge.Tests.Architecture;

/// <summary>
/// The IL instructions of a compiled method body, decoded with the runtime's own <see cref="OpCodes"/> table: each
/// instruction's opcode, the method it calls (call, callvirt, newobj), the field it names and the local it stores or loads.
/// </summary>
internal static class MethodInstructions
{
    /// <summary>One decoded instruction.</summary>
    public sealed record Instruction(OpCode OpCode, MethodBase? Callee, FieldInfo? Field, int? StoredLocal, int? LoadedLocal);

    private static readonly Dictionary<short, OpCode> Codes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The instructions of <paramref name="method"/>, empty when it has no IL body.</summary>
    public static IReadOnlyList<Instruction> Of(MethodBase method)
    {
        byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) return [];
        var result = new List<Instruction>();
        int at = 0;
        while (at < il.Length)
        {
            short value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var code = Codes[value];
            int size = OperandSize(code, il, at);
            int operand = size switch
            {
                1 => il[at],
                2 => BitConverter.ToUInt16(il, at),
                >= 4 => BitConverter.ToInt32(il, at),
                _ => 0,
            };
            at += size;
            var callee = code.OperandType == OperandType.InlineMethod ? Resolve(method, operand, method.Module.ResolveMethod) : null;
            var field = code.OperandType == OperandType.InlineField ? Resolve(method, operand, method.Module.ResolveField) : null;
            result.Add(new Instruction(code, callee, field, LocalIndex(code, "stloc", operand), LocalIndex(code, "ldloc", operand)));
        }
        return result;
    }

    private static int OperandSize(OpCode code, byte[] il, int at) => code.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
        _ => 4,
    };

    private static int? LocalIndex(OpCode code, string prefix, int operand)
    {
        string name = code.Name!;
        if (!name.StartsWith(prefix, StringComparison.Ordinal) || name.StartsWith("ldloca", StringComparison.Ordinal)) return null;
        return name.Length > prefix.Length && char.IsDigit(name[prefix.Length + 1]) ? name[prefix.Length + 1] - '0' : operand;
    }

    private static T? Resolve<T>(MethodBase method, int token, Func<int, Type[]?, Type[]?, T?> resolve)
        where T : MemberInfo
    {
        try
        {
            var typeArguments = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
            var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
            return resolve(token, typeArguments, methodArguments);
        }
        catch (Exception e) when (e is ArgumentException or MemberAccessException or TypeLoadException or IOException)
        {
            return null;
        }
    }
}
