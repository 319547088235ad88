using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Emit;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Architecture;

/// <summary>
/// Every TorchSharp <c>Scalar</c> the product hands to libtorch is held for the duration of the call. TorchSharp reads a
/// Scalar's native handle and then passes only the handle (<c>THSTensor_div_scalar(Handle, target.Handle, …)</c>), so
/// an implicit temporary (<c>tensor / 8</c>) is unreachable during the native call and its finalizer can free the
/// native scalar while libtorch reads it ("Unknown scalar type" under forced garbage collections). Checked on the
/// compiled IL of the product assemblies, so no spelling of an implicit conversion escapes.
/// </summary>
public class HeldScalarTests
{
    private static readonly ConcurrentDictionary<MethodBase, bool> MakesItsOwn = new();

    /// <summary>
    /// Whether TorchSharp method <paramref name="callee"/> (or one it calls, two levels down) makes an inline Scalar:
    /// <c>add(x)</c> is <c>add(x, 1)</c>, <c>tensor + x</c> is <c>add(x)</c>, <c>tensor * 0.5</c> converts inside.
    /// </summary>
    private static bool CreatesUnheldScalarInside(MethodBase callee, int depth = 0) =>
        depth < 3 && callee.DeclaringType?.Assembly.GetName().Name == "TorchSharp" && !CreatesScalar(callee)
        && MakesItsOwn.GetOrAdd(callee, c => InlineScalars(c).Any()
            || MethodInstructions.Of(c).Any(i => i.Callee is { } next && CreatesUnheldScalarInside(next, depth + 1)));

    private static bool CreatesScalar(MethodBase callee) =>
        (callee.DeclaringType?.FullName == "TorchSharp.Scalar" && callee.Name == "op_Implicit")
        || (callee.DeclaringType?.FullName == "TorchSharp.ScalarExtensionMethods" && callee.Name == "ToScalar");

    private static IEnumerable<Assembly> ProductAssemblies() =>
        Directory.EnumerateFiles(AppContext.BaseDirectory, "EvoMerge.*.dll")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(name => name is not ("EvoMerge.Tests" or "EvoMerge.FuzzCorpus"))
            .Order(StringComparer.Ordinal)
            .Select(name => Assembly.Load(name!));

    private static IEnumerable<MethodBase> MethodsOf(Assembly assembly)
    {
        Type?[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            types = e.Types;
        }
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        return types.OfType<Type>().SelectMany(t => t.GetMethods(all).Cast<MethodBase>().Concat(t.GetConstructors(all)));
    }

    /// <summary>
    /// Where <paramref name="method"/> hands libtorch a Scalar nothing holds: one made inline (not stored in a local
    /// that a <c>using</c> disposes, nor made inside <c>HeldScalars</c>), or one of the overloads that make their own.
    /// </summary>
    internal static IEnumerable<string> UnheldScalars(MethodBase method)
    {
        if (method.DeclaringType?.Name == "HeldScalars") yield break;
        foreach (var callee in InlineScalars(method))
            yield return $"{Describe(method)} passes an inline {callee.Name}({callee.GetParameters()[0].ParameterType.Name}) Scalar: hold it (HeldScalars.Hold or a using variable)";
        foreach (var callee in MethodInstructions.Of(method).Select(i => i.Callee).OfType<MethodBase>().Where(c => CreatesUnheldScalarInside(c)).Distinct())
            yield return $"{Describe(method)} calls TorchSharp's {callee.Name}({string.Join(", ", callee.GetParameters().Select(p => p.ParameterType.Name))}), which makes an unheld Scalar itself: pass held scalars (a tensor sum: a.add(b, ScalarConstants.One))";
    }

    /// <summary>
    /// The Scalar-making calls of <paramref name="method"/> whose Scalar is neither disposed by a <c>using</c> (a local,
    /// or a closure's field when a lambda uses it), nor returned (its caller is checked), nor kept in a static field
    /// (never finalized: <c>ScalarConstants</c>).
    /// </summary>
    private static IEnumerable<MethodBase> InlineScalars(MethodBase method)
    {
        var code = MethodInstructions.Of(method);
        for (int i = 0; i + 1 < code.Count; i++)
        {
            if (code[i].Callee is not { } callee || !CreatesScalar(callee)) continue;
            var next = code[i + 1];
            if (next.OpCode == OpCodes.Ret || next.OpCode == OpCodes.Stsfld
                || (next.StoredLocal is { } local && Disposes(code, x => x.LoadedLocal == local))
                || (next.OpCode == OpCodes.Stfld && next.Field is { } field && Disposes(code, x => x.OpCode == OpCodes.Ldfld && x.Field == field)))
                continue;
            yield return callee;
        }
    }

    /// <summary>Whether the value <paramref name="loads"/> reads is disposed (a <c>using</c>'s finally: load, null check, load, Dispose).</summary>
    private static bool Disposes(IReadOnlyList<MethodInstructions.Instruction> code, Func<MethodInstructions.Instruction, bool> loads) =>
        code.Select((instruction, i) => (instruction, i)).Any(x => loads(x.instruction)
            && code.Skip(x.i + 1).Take(4).Any(next => next.Callee?.Name == nameof(IDisposable.Dispose)));

    private static string Describe(MethodBase method)
    {
        var type = method.DeclaringType!;
        while (type.DeclaringType is { } outer && type.Name.Contains('<', StringComparison.Ordinal)) type = outer;
        return $"{type.Assembly.GetName().Name}: {type.FullName}.{method.Name}";
    }

    [Fact]
    public void TheProductHoldsEveryScalarItHandsToLibtorch()
    {
        var found = ProductAssemblies().SelectMany(MethodsOf).SelectMany(UnheldScalars).Distinct().ToList();
        Assert.True(found.Count == 0, $"{found.Count} unheld scalars:\n{string.Join("\n", found)}");
    }

    [Fact]
    public void TheCheckFindsInlineScalarsAndAcceptsHeldOnes()
    {
        static IReadOnlyList<string> Found(string name) =>
            [.. UnheldScalars(typeof(HeldScalarTests).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!)];
        Assert.Contains("passes an inline op_Implicit(Int32) Scalar", Assert.Single(Found(nameof(ConvertedHere))));
        Assert.Contains("calls TorchSharp's op_Division(Tensor, Int32)", Assert.Single(Found(nameof(ConvertedInside))));
        Assert.Contains("calls TorchSharp's op_Addition(Tensor, Tensor)", Assert.Single(Found(nameof(SumWithImplicitAlpha))));
        Assert.Contains("passes an inline op_Implicit(Double) Scalar", Assert.Single(Found(nameof(StoredButNotDisposed))));
        Assert.Empty(Found(nameof(Held)));
        Assert.Empty(Found(nameof(HeldForALambda)));
    }

    private static torch.Tensor ConvertedHere(torch.Tensor x) => x.div(8);

    private static torch.Tensor ConvertedInside(torch.Tensor x) => x / 8;

    private static torch.Tensor SumWithImplicitAlpha(torch.Tensor x, torch.Tensor y) => x + y;

    private static torch.Tensor StoredButNotDisposed(torch.Tensor x)
    {
        Scalar half = 0.5;
        return x.mul(half);
    }

    private static torch.Tensor Held(torch.Tensor x, torch.Tensor y)
    {
        using var eight = 8.ToScalar();
        using var one = 1.ToScalar();
        return x.div(eight).add(y, one);
    }

    private static torch.Tensor[] HeldForALambda(torch.Tensor[] xs)
    {
        using var half = 0.5.ToScalar();
        return [.. xs.Select(x => x.mul(half))];
    }
}
