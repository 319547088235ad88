"""compare.py BASE_OUT MAIN_OUT [BASE_TREE MAIN_TREE]: equal run files of two equivalence runs, timings and paths masked."""
import json,sys,os,re
base,main=sys.argv[1:3]
base_tree,main_tree=(sys.argv[3:5] if len(sys.argv)>=5 else ['/work/wt-base','/work/main'])
def norm(x):
    if isinstance(x,dict):
        return {k:norm(v) for k,v in x.items() if not re.search(r'(?i)seconds|^hash$|hashes|elapsed|time|^key$|recipe_hash|started|updated|sha256|^inputs$', k)}
    if isinstance(x,list): return [norm(v) for v in x]
    if isinstance(x,str):
        x=x.replace(base_tree,main_tree)
        return re.sub(r'\b[0-9a-f]{64}\b','<hash>',x)
    return x
ok=True
for n in sorted(os.listdir(base)):
    if not os.path.isdir(os.path.join(base,n)): continue
    for f in ['archive.json','population.json','statistics.json','checkpoint.json','references.json']:
        a=os.path.join(base,n,f); b=os.path.join(main,n,f)
        if not os.path.exists(a): continue
        if not os.path.exists(b): print(n,f,'MISSING in main'); ok=False; continue
        A=norm(json.load(open(a))); B=norm(json.load(open(b)))
        same = A==B
        ok &= same
        print(f'{n:35s} {f:18s} {"same" if same else "DIFFERENT"}')
print('ALL SAME' if ok else 'SOME DIFFER')
