using System.Text.Json.Nodes;
using EvoMerge.Plots;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;
using EvoMerge.Tests.Search;
using SkiaSharp;
using Xunit;

namespace EvoMerge.Tests.Plots;

public class RunPlotsTests(SpecialistsFixture fixture) : IClassFixture<SpecialistsFixture>
{
    private const string Genome = "  methods: [ties, task_arithmetic]\n  layer_groups: 2\n  ranges:\n    weight: [0, 2]";

    /// <summary>ScottPlot's OrangeRed, the archive members' colour.</summary>
    private static readonly SKColor ArchiveColor = new(0xFF, 0x45, 0x00);

    [Fact]
    public void ASearchWritesItsPlotsAfterEveryGenerationAndAResumeKeepsWritingThem()
    {
        var config = SearchConfigReader.ReadFile(fixture.Config("plots", Genome, population: 6, generations: 3));
        var files = new RunFiles(config.RunDirectory);
        byte[] front1, volume1;
        double[] sourceA, baseModel;
        var plots = new RunPlots(problem => Assert.Fail(problem));
        using (var run = SearchRun.Start(config, plots))
        {
            plots.Attach(run);
            run.RunGeneration();
            front1 = File.ReadAllBytes(files.FrontPlot);
            volume1 = File.ReadAllBytes(files.HypervolumePlot);
            Assert.Equal((1100, 650), PngImage.Header(front1));
            Assert.Equal((900, 500), PngImage.Header(volume1));
            Assert.True(PngImage.CountPixels(front1, ArchiveColor) > 100, "the archive members are drawn");
            Assert.True(PngImage.CountPixels(front1, SKColors.White) < 1100 * 650 * 0.98, "the plot is not blank");
            run.RunGeneration();
            sourceA = ModelExporter.Rescore(run.Setup, fixture.Layout.SpecialistA);
            baseModel = ModelExporter.Rescore(run.Setup, fixture.Layout.Base);
        }
        Assert.Empty(Directory.GetFiles(config.RunDirectory, "*.tmp*"));

        // The reference points: base, both sources and the three plain merges, built in memory and scored like candidates
        // (the base and a source exactly as their own directories score).
        var references = JsonNode.Parse(File.ReadAllText(files.References))!["references"]!.AsArray();
        Assert.Equal(["base (base)", "a", "b", "linear (uniform)", "task_arithmetic w=1", "ties w=1 d=0.5"], references.Select(r => (string)r!["label"]!));
        double Objective(int reference, int j) => (double)references[reference]!["objectives"]![j]!;
        Assert.Equal(baseModel, new[] { Objective(0, 0), Objective(0, 1) });
        Assert.Equal(sourceA, new[] { Objective(1, 0), Objective(1, 1) });
        Assert.True(Objective(1, 0) > Objective(0, 0) + 0.5, "specialist a beats the base on task a");
        Assert.True(Objective(2, 1) > Objective(0, 1) + 0.5, "specialist b beats the base on task b");
        Assert.True(Objective(4, 0) > Objective(0, 0) + 0.5 && Objective(4, 1) > Objective(0, 1) + 0.5, "task arithmetic of both is good at both");
        var scoredAt = File.GetLastWriteTimeUtc(files.References);

        byte[] volume2 = File.ReadAllBytes(files.HypervolumePlot);
        var resumedPlots = new RunPlots(problem => Assert.Fail(problem));
        using (var resumed = SearchRun.Resume(config.RunDirectory, resumedPlots))
        {
            resumedPlots.Attach(resumed);
            resumed.Run();
            Assert.Equal(3, resumed.Generation);
        }
        byte[] volume3 = File.ReadAllBytes(files.HypervolumePlot);
        Assert.Equal((900, 500), PngImage.Header(volume3));
        Assert.NotEqual(volume1, volume2);
        Assert.NotEqual(volume2, volume3);
        Assert.NotEqual(front1, File.ReadAllBytes(files.FrontPlot));
        Assert.Equal(scoredAt, File.GetLastWriteTimeUtc(files.References));
    }

    [Fact]
    public void AThreeObjectiveRunGetsAScatterMatrixTitledWithTheLoggedGeneration()
    {
        const string objectives = "objectives:\n  - name: a\n    task: tasks/a.yml\n    metric: acc\n  - name: b\n    task: tasks/b.yml\n    metric: acc\n"
            + "  - name: a_norm\n    task: tasks/a.yml\n    metric: acc_norm\n";
        var config = SearchConfigReader.ReadFile(fixture.Config("plots3", Genome, population: 4, generations: 2, objectives: objectives));
        var files = new RunFiles(config.RunDirectory);
        var plots = new RunPlots(problem => Assert.Fail(problem));
        using var run = SearchRun.Start(config, plots);
        plots.Attach(run);
        run.Run();
        // Generations 0 and 1 ran; the log's last line is "generation 1 done".
        var data = FrontPlotData.Of(run, []);
        Assert.Equal("Pareto front after generation 1", data.Title);
        Assert.Equal(["a", "b", "a_norm"], data.Objectives.Select(o => o.Name));
        Assert.Equal([true, true, true], data.Objectives.Select(o => o.Maximize));
        Assert.All(data.Archive, member => Assert.Equal(3, member.Length));
        var image = ParetoFrontPlot.Draw(data);
        Assert.Equal(6, image.Panels.Count);
        // The file the run wrote is that matrix: three 300 px cells and the legend column across, the title strip above.
        byte[] written = File.ReadAllBytes(files.FrontPlot);
        Assert.Equal((3 * 300 + 260, 3 * 300 + 50), PngImage.Header(written));
        Assert.True(PngImage.CountPixels(written, ArchiveColor) > 6 * 40, "the members are drawn in every panel");
    }

    [Fact]
    public void DifferentFrontsGiveDifferentImagesAndTheSameFrontTheSameImage()
    {
        FrontPlotData Data(double shift) => new(
            [new FrontAxis("a", "acc, higher is better", true), new FrontAxis("b", "acc, higher is better", true)],
            [[0.1, 0.2], [0.3, 0.5], [0.6, 0.4], [0.2 + shift, 0.7]],
            [[0.3, 0.9], [0.6 + shift, 0.7], [0.9, 0.3]],
            [("base (base)", ReferenceKind.Base, [0.1, 0.1]), ("a", ReferenceKind.Source, [0.9, 0.1]), ("b", ReferenceKind.Source, [0.1, 0.9]), ("linear (uniform)", ReferenceKind.Baseline, [0.5, 0.5])],
            4);
        byte[] first = ParetoFrontPlot.Render(Data(0.0), 640, 480);
        Assert.Equal((640, 480), PngImage.Header(first));
        Assert.Equal(first, ParetoFrontPlot.Render(Data(0.0), 640, 480));
        Assert.NotEqual(first, ParetoFrontPlot.Render(Data(0.2), 640, 480));
        Assert.True(PngImage.CountPixels(first, ArchiveColor) > 100);
    }
}
