using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Tensors;

/// <summary>The --device values: cpu works and is where tensors are made; cuda on this CPU-only build and unknown names are one-line errors naming the option.</summary>
public class ComputeDeviceTests
{
    [Theory]
    [InlineData("cuda")]
    [InlineData("cuda:1")]
    [InlineData(" CUDA:0 ")]
    public void CudaOnTheCpuOnlyBuildIsAnErrorNamingTheOptionAndTheBuild(string name)
    {
        Assert.True(ComputeDevice.CpuOnlyBuild);
        var e = Assert.Throws<ArgumentException>(() => ComputeDevice.Parse(name, "--device"));
        Assert.Equal($"--device '{name}': this build is CPU-only (TorchSharp-cpu); rebuild with -p:TorchBackend=cuda to use a GPU", e.Message);
    }

    [Theory]
    [InlineData("tpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:x")]
    [InlineData("cuda:-1")]
    public void UnknownDevicesAreRefused(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => ComputeDevice.Parse(name, "--device"));
        Assert.Equal($"--device '{name}': expected cpu, cuda or cuda:N", e.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("cpu")]
    [InlineData(" CPU ")]
    public void CpuBecomesTheDeviceNewTensorsAreMadeOn(string? name)
    {
        var device = ComputeDevice.Use(name, "--device");
        Assert.Equal(DeviceType.CPU, device.type);
        Assert.Equal(DeviceType.CPU, ComputeDevice.Current.type);
        long[] data = [1, 2];
        using var made = torch.empty(3, torch.ScalarType.Float32);
        using var fromData = torch.tensor(data);
        Assert.Equal(DeviceType.CPU, made.device_type);
        Assert.Equal(DeviceType.CPU, fromData.device_type);
    }
}
