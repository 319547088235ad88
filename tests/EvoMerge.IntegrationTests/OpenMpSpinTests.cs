using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// The CLI shortens libgomp's spin after parallel torch operations to <c>GOMP_SPINCOUNT=10000</c> before libtorch
/// loads, unless the user chose a spin count or a wait policy; <c>evomerge doctor</c> reports what libgomp reads.
/// </summary>
public sealed class OpenMpSpinTests
{
    [Theory]
    [InlineData("", "", "GOMP_SPINCOUNT=10000")]
    [InlineData("77", "", "GOMP_SPINCOUNT=77")]
    [InlineData("", "PASSIVE", "OMP_WAIT_POLICY=PASSIVE")]
    public void DoctorReportsTheSpinLibgompReads(string spinCount, string waitPolicy, string expected)
    {
        // Empty counts as unset (the test's own environment may set either).
        var environment = new Dictionary<string, string> { ["GOMP_SPINCOUNT"] = spinCount, ["OMP_WAIT_POLICY"] = waitPolicy };
        using var doctor = ChildProcess.Start(environment, "doctor");
        Assert.True(doctor.WaitForExit(TimeSpan.FromMinutes(1)), doctor.Stderr);
        Assert.True(doctor.ExitCode == 0, doctor.Stderr);
        Assert.Contains($"openmp spin       {expected}\n", doctor.Stdout + "\n");
    }
}
