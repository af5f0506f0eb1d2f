import sys, threading  # SPDX-License-Identifier: MIT
seen = {}
def prof(frame, event, arg):
    if event == 'call' and frame.f_code.co_filename == __file__:
        seen[frame.f_code.co_name] = seen.get(frame.f_code.co_name, 0) + 1
def a():
    return b() + b()
def b():
    return len([1])
def in_thread():
    a()
threading.setprofile(prof)
sys.setprofile(prof)
a()
t = threading.Thread(target=in_thread)
t.start()
t.join()
sys.setprofile(None)
threading.setprofile(None)
a()
print(sorted(seen.items()))
