using EvoMerge.Tensors;
using Xunit;

namespace EvoMerge.Tests.Tensors;

/// <summary>
/// Paths resolved as the kernel resolves them, on real directories and real symbolic links. Expected paths are
/// written out by hand from the links each test makes (the temp directory itself holds no link).
/// </summary>
public class RealPathTests
{
    [Fact]
    public void A_link_component_is_followed_and_a_missing_tail_is_kept()
    {
        using var tmp = new TempDirectory();
        Directory.CreateDirectory(tmp.Combine("real"));
        Directory.CreateSymbolicLink(tmp.Combine("link"), tmp.Combine("real"));

        Assert.Equal(tmp.Combine("real"), RealPath.Resolve(tmp.Combine("link")));
        Assert.Equal(tmp.Combine("real", "not", "yet"), RealPath.Resolve(tmp.Combine("link", "not", "yet")));
        Assert.Equal(tmp.Combine("real"), RealPath.Resolve(tmp.Combine("link") + "/"));
    }

    [Fact]
    public void Dot_dot_after_a_link_goes_to_the_parent_of_its_target()
    {
        using var tmp = new TempDirectory();
        Directory.CreateDirectory(tmp.Combine("a", "b"));
        Directory.CreateDirectory(tmp.Combine("c"));
        Directory.CreateSymbolicLink(tmp.Combine("c", "link"), "../a/b");

        // Lexically c/link/.. is c; the kernel goes to a/b and then up to a.
        Assert.Equal(tmp.Combine("a"), RealPath.Resolve(tmp.Combine("c", "link", "..")));
        Assert.Equal(tmp.Combine("a", "x"), RealPath.Resolve(tmp.Combine("c", "link", "..", ".", "x")));
    }

    [Fact]
    public void Chains_of_relative_and_absolute_links_and_file_links_are_followed_to_the_end()
    {
        using var tmp = new TempDirectory();
        Directory.CreateDirectory(tmp.Combine("models", "a"));
        File.WriteAllText(tmp.Combine("models", "a", "task.yml"), "x");
        Directory.CreateSymbolicLink(tmp.Combine("first"), tmp.Combine("models"));
        Directory.CreateSymbolicLink(tmp.Combine("second"), "first/a");
        File.CreateSymbolicLink(tmp.Combine("file-link"), "second/task.yml");

        Assert.Equal(tmp.Combine("models", "a"), RealPath.Resolve(tmp.Combine("second")));
        Assert.Equal(tmp.Combine("models", "a", "task.yml"), RealPath.Resolve(tmp.Combine("file-link")));
    }

    [Fact]
    public void A_link_loop_is_an_error_naming_the_path()
    {
        using var tmp = new TempDirectory();
        Directory.CreateSymbolicLink(tmp.Combine("one"), "two");
        Directory.CreateSymbolicLink(tmp.Combine("two"), "one");

        var error = Assert.Throws<IOException>(() => RealPath.Resolve(tmp.Combine("one", "x")));
        Assert.Contains("too many levels of symbolic links", error.Message);
        Assert.Contains(tmp.Combine("one", "x"), error.Message);
    }

    [Fact]
    public void Relation_compares_resolved_paths_by_whole_components()
    {
        using var tmp = new TempDirectory();
        Directory.CreateDirectory(tmp.Combine("models", "a"));
        Directory.CreateSymbolicLink(tmp.Combine("link"), tmp.Combine("models", "a"));

        Assert.Equal("resolves to", RealPath.Relation(tmp.Combine("link"), tmp.Combine("models", "a")));
        Assert.Equal("is inside", RealPath.Relation(tmp.Combine("link", "sub"), tmp.Combine("models", "a")));
        Assert.Equal("contains", RealPath.Relation(tmp.Combine("models"), tmp.Combine("link")));
        Assert.Null(RealPath.Relation(tmp.Combine("models", "ab"), tmp.Combine("models", "a")));
        Assert.Null(RealPath.Relation(tmp.Combine("other"), tmp.Combine("link")));
    }

    [Fact]
    public void The_overlap_message_is_one_line_naming_the_output_its_resolution_and_the_input()
    {
        using var tmp = new TempDirectory();
        Directory.CreateDirectory(tmp.Combine("models", "a"));
        Directory.CreateSymbolicLink(tmp.Combine("link"), tmp.Combine("models", "a"));

        string? message = RealPath.OverlapMessage(tmp.Combine("link"), [("the model 'a'", tmp.Combine("models", "a"))]);
        Assert.Equal($"{tmp.Combine("link")}: the output directory (via {tmp.Combine("models", "a")}) resolves to the model 'a' at {tmp.Combine("models", "a")}; refusing to write over an input", message);
        Assert.Null(RealPath.OverlapMessage(tmp.Combine("out"), [("the model 'a'", tmp.Combine("models", "a"))]));
    }

    [BindMountFact]
    public void A_bind_mount_of_an_input_is_that_input_and_so_are_paths_inside_and_around_it()
    {
        using var tmp = new TempDirectory();
        Directory.CreateDirectory(tmp.Combine("models", "a"));
        File.WriteAllText(tmp.Combine("models", "a", "config.json"), "{}");
        Directory.CreateDirectory(tmp.Combine("mnt"));
        Directory.CreateDirectory(tmp.Combine("view"));
        Assert.True(BindMountFactAttribute.Run("mount", "--bind", tmp.Combine("models"), tmp.Combine("mnt")));
        Assert.True(BindMountFactAttribute.Run("mount", "--bind", tmp.Combine("models", "a"), tmp.Combine("view")));
        try
        {
            Assert.Equal("resolves to", RealPath.Relation(tmp.Combine("mnt", "a"), tmp.Combine("models", "a")));
            Assert.Equal("resolves to", RealPath.Relation(tmp.Combine("view"), tmp.Combine("models", "a")));
            Assert.Equal("is inside", RealPath.Relation(tmp.Combine("mnt", "a", "new-out"), tmp.Combine("models", "a")));
            Assert.Equal("contains", RealPath.Relation(tmp.Combine("mnt"), tmp.Combine("models", "a")));
            Assert.Null(RealPath.Relation(tmp.Combine("out"), tmp.Combine("models", "a")));
            string? message = RealPath.OverlapMessage(tmp.Combine("view"), [("the model 'a'", tmp.Combine("models", "a"))]);
            Assert.Equal($"{tmp.Combine("view")}: the output directory resolves to the model 'a' at {tmp.Combine("models", "a")}; refusing to write over an input", message);
        }
        finally
        {
            BindMountFactAttribute.Run("umount", tmp.Combine("view"));
            BindMountFactAttribute.Run("umount", tmp.Combine("mnt"));
        }
    }
}
