using EvoMerge.Optimization;
using EvoMerge.Optimization.Pareto;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;
using Xunit;

namespace EvoMerge.Tests.Search.Runs;

/// <summary>
/// The member a run reports (the demo table's "best dev average" row, <c>export --member best</c>): highest dev
/// average among the feasible members, lowest index on ties; the demo table's recorded dev averages when they are
/// for this archive, else the mean of the archived objectives. Expected members are worked out by hand below.
/// </summary>
public sealed class ReportedMemberRuleTests
{
    private static SearchConfig Config(string runDirectory, string direction = "maximize") => SearchConfigReader.Parse($"""
        base_model: models/base
        models: [models/a, models/b]
        objectives:
          - {"{"}name: a, task: tasks/a.yml, metric: acc, direction: {direction}{"}"}
          - {"{"}name: b, task: tasks/b.yml, metric: acc, direction: maximize{"}"}
        constraints:
          - {"{"}task: tasks/a.yml, metric: acc, minimum: 0.5{"}"}
        genome:
          methods: [task_arithmetic]
          layer_groups: 1
        optimizer: {"{"}name: nsga2, settings: {"{"}population_size: 4{"}"}{"}"}
        budget: {"{"}generations: 1{"}"}
        seed: 1
        run_dir: '{runDirectory}'
        """, "search.yml", "/work");

    /// <summary>An archive entry as the search stores it: objectives negated (minimised), violation max(0, 0.5 − score).</summary>
    private static ParetoArchiveEntry<ArchiveMember> Member(string hash, double a, double b, double constraint) =>
        new(hash, [-a, -b], Math.Max(0, 0.5 - constraint), new ArchiveMember(hash, new Genome([0.5], [0]), [a, b], [constraint], 0));

    [Fact]
    public void The_highest_dev_average_among_feasible_members_wins_and_ties_go_to_the_lower_index()
    {
        using var temp = new TempDirectory();
        var config = Config(temp.Path);
        // Member 3 has the highest dev average but violates the constraint (0.4 < 0.5); members 1 and 2 tie at 0.7.
        ParetoArchiveEntry<ArchiveMember>[] archive = [Member("h0", 0, 0, 0.6), Member("h1", 0, 0, 0.6), Member("h2", 0, 0, 0.6), Member("h3", 0, 0, 0.4)];
        Assert.Equal(1, ReportedMemberRule.Select(archive, [0.5, 0.7, 0.7, 0.9]));
        // None feasible: all compete, member 3's 0.9 wins.
        ParetoArchiveEntry<ArchiveMember>[] infeasible = [Member("h0", 0, 0, 0.1), Member("h1", 0, 0, 0.1), Member("h2", 0, 0, 0.1), Member("h3", 0, 0, 0.1)];
        Assert.Equal(3, ReportedMemberRule.Select(infeasible, [0.5, 0.7, 0.7, 0.9]));
    }

    [Fact]
    public void Feasibility_is_the_archive_entrys_flag_as_export_list_shows_it()
    {
        using var temp = new TempDirectory();
        var config = Config(temp.Path);
        // Member 1's constraint score (0.6) meets the minimum, but its archive entry carries a violation (as an
        // evaluation with a non-finite score does): the entry decides, so member 0 is best and --list says "no".
        ParetoArchiveEntry<ArchiveMember>[] archive = [Member("h0", 0.5, 0.5, 0.6), Member("h1", 0.9, 0.9, 0.6) with { ConstraintViolation = double.PositiveInfinity }];
        var reported = ReportedMemberRule.Find(config, archive)!;
        Assert.Equal(0, reported.Member);
        string[] rows = ArchiveListing.Format(config, archive, reported).Split('\n');
        Assert.Matches(@"^0 +h0 +0\.5 +0\.5 +0\.5 +yes +0 +best$", rows[1]);
        Assert.Matches(@"^1 +h1 +0\.9 +0\.9 +0\.9 +no +0$", rows[2]);
    }

    [Fact]
    public void Without_a_record_the_mean_of_the_archived_objectives_ranks_and_a_record_for_this_archive_replaces_it()
    {
        using var temp = new TempDirectory();
        var config = Config(temp.Path);
        // Means: (0.2+0.8)/2 = 0.5, (0.6+0.6)/2 = 0.6, (0.9+0.1)/2 = 0.5.
        ParetoArchiveEntry<ArchiveMember>[] archive = [Member("h0", 0.2, 0.8, 1), Member("h1", 0.6, 0.6, 1), Member("h2", 0.9, 0.1, 1)];
        var plain = ReportedMemberRule.Find(config, archive)!;
        Assert.Equal(1, plain.Member);
        Assert.Equal([0.5, 0.6, 0.5], plain.DevAverages);

        Assert.Equal(2, ReportedMemberRule.Record(config, archive, [0.3, 0.1, 0.4], "six dev columns"));
        var recorded = ReportedMemberRule.Find(config, archive)!;
        Assert.Equal(2, recorded.Member);
        Assert.Equal("the demo table's dev average (six dev columns)", recorded.Basis);

        // The archive changed since (a resumed run): the record is for other members and is not used.
        ParetoArchiveEntry<ArchiveMember>[] changed = [archive[0], archive[1], Member("h9", 0.9, 0.1, 1)];
        Assert.Equal(1, ReportedMemberRule.Find(config, changed)!.Member);
    }

    [Fact]
    public void A_damaged_record_is_one_line_naming_the_file_and_the_field()
    {
        using var temp = new TempDirectory();
        var config = Config(temp.Path);
        string file = Path.Combine(temp.Path, ReportedMemberRule.FileName);
        File.WriteAllText(file, """{"members": [{"member": 0, "hash": "h0", "dev_average": "high"}]}""");
        var e = Assert.Throws<InvalidDataException>(() => ReportedMemberRule.Find(config, [Member("h0", 1, 1, 1)]));
        Assert.Equal($"{file}: members[0].dev_average: missing or not a number", e.Message);
    }

    [Fact]
    public void A_minimised_objective_without_a_record_has_no_best_and_says_why()
    {
        using var temp = new TempDirectory();
        var config = Config(temp.Path, direction: "minimize");
        ParetoArchiveEntry<ArchiveMember>[] archive = [Member("h0", 0.2, 0.8, 1)];
        Assert.Null(ReportedMemberRule.Find(config, archive));
        var e = Assert.Throws<ArgumentException>(() => ExportMemberChoice.Resolve("best", config, archive));
        Assert.Equal($"--member best: {temp.Path}: objective 'a' is minimised, so the archived objectives have no mean to rank by and no demo table recorded dev averages (reported-member.json); choose a member by index (evomerge export RUN_DIR --list)", e.Message);
        Assert.Equal((0, ""), ExportMemberChoice.Resolve("0", config, archive));
        Assert.Equal("--member first: not an archive index or best", Assert.Throws<ArgumentException>(() => ExportMemberChoice.Resolve("first", config, archive)).Message);
    }
}
