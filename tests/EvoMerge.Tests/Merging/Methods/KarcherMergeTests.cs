using EvoMerge.Merging;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

public sealed class KarcherMergeTests
{
    private static double[] Direction(double degrees) => [Math.Cos(degrees * Math.PI / 180), Math.Sin(degrees * Math.PI / 180)];

    private static torch.Tensor At(double degrees, double norm = 1) =>
        Tensors.Of(Direction(degrees).Select(v => (float)(v * norm)).ToArray());

    [Fact]
    public void Two_orthogonal_directions_meet_halfway_scaled_by_the_mean_norm()
    {
        using var scope = torch.NewDisposeScope();
        var result = MergeCase.For("karcher").Model(At(0, 2)).Model(At(90, 1)).Merge();
        TensorAssert.Close(Direction(45).Select(v => 1.5 * v).ToArray(), result, 1e-5);
    }

    [Fact]
    public void On_a_circle_the_mean_direction_is_the_mean_angle()
    {
        using var scope = torch.NewDisposeScope();
        var result = MergeCase.For("karcher").Base(At(0)).Model(At(30)).Model(At(90)).Merge();
        TensorAssert.Close(Direction(40), result, 1e-4);
    }

    [Fact]
    public void Three_axes_meet_on_the_diagonal()
    {
        using var scope = torch.NewDisposeScope();
        var result = MergeCase.For("karcher").Model(Tensors.Of(1, 0, 0)).Model(Tensors.Of(0, 1, 0)).Model(Tensors.Of(0, 0, 1)).Merge();
        double d = 1 / Math.Sqrt(3);
        TensorAssert.Close([d, d, d], result, 1e-5);
    }

    [Fact]
    public void A_zero_tensor_adds_no_direction_but_counts_in_the_norm()
    {
        using var scope = torch.NewDisposeScope();
        var result = MergeCase.For("karcher").Model(Tensors.Of(3, 0)).Model(Tensors.Of(0, 0)).Merge();
        TensorAssert.Close([1.5, 0], result, 1e-6);
    }

    [Fact]
    public void All_zero_inputs_give_zeros()
    {
        using var scope = torch.NewDisposeScope();
        TensorAssert.Close([0, 0], MergeCase.For("karcher").Model(Tensors.Of(0, 0)).Model(Tensors.Of(0, 0)).Merge());
    }

    [Theory]
    [InlineData(-1, 1e-5)]
    [InlineData(2.5, 1e-5)]
    [InlineData(10, -1)]
    public void Invalid_iteration_settings_are_errors(double maxIterations, double tolerance)
    {
        using var scope = torch.NewDisposeScope();
        var merge = MergeCase.For("karcher").Model(Tensors.Of(1, 0)).Model(Tensors.Of(0, 1)).Global(("max_iter", maxIterations), ("tol", tolerance));
        Assert.Throws<MergeException>(() => merge.Merge());
    }

    [Fact]
    public void Zero_iterations_return_the_normalised_mean_direction()
    {
        using var scope = torch.NewDisposeScope();
        var result = MergeCase.For("karcher").Model(At(0)).Model(At(30)).Model(At(90)).Global(("max_iter", 0)).Merge();
        var mean = new[] { 0.0, 30, 90 }.Select(Direction).Aggregate((s, d) => [s[0] + d[0], s[1] + d[1]]);
        double norm = Math.Sqrt(mean[0] * mean[0] + mean[1] * mean[1]);
        TensorAssert.Close([mean[0] / norm, mean[1] / norm], result, 1e-5);
    }
}
